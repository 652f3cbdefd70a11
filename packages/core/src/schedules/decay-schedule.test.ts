import { describe, expect, it } from 'vitest';
import { decayed } from './decay-schedule.js';

describe('decay schedules', () => {
  it('constant keeps the value; linear and cosine fall from it to 0 at the end', () => {
    expect([0, 5, 10].map((s) => decayed(2, 'constant', s, 10))).toEqual([2, 2, 2]);
    expect([0, 5, 10].map((s) => decayed(2, 'linear', s, 10))).toEqual([2, 1, 0]);
    const cosine = [0, 5, 10].map((s) => decayed(2, 'cosine', s, 10));
    expect(cosine[0]).toBe(2);
    expect(cosine[1]).toBeCloseTo(1, 12);
    expect(cosine[2]).toBeCloseTo(0, 12);
  });
});
