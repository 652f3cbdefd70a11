import { describe, expect, it } from 'vitest';
import { chiSquareTest } from './chi-square.js';

describe('chiSquareTest', () => {
  it('matches a hand-computed statistic and p-value', () => {
    // Expected 20 each: χ² = (100 + 0 + 100) / 20 = 10 with 2 degrees of freedom; P(χ²₂ ≥ 10) = e⁻⁵.
    const r = chiSquareTest([10, 20, 30], [1 / 3, 1 / 3, 1 / 3]);
    expect(r.statistic).toBeCloseTo(10, 12);
    expect(r.degreesOfFreedom).toBe(2);
    expect(r.pValue).toBeCloseTo(Math.exp(-5), 10);
  });

  it('rejects counts in a zero-probability category outright', () => {
    expect(chiSquareTest([1, 5], [0, 1]).pValue).toBe(0);
    expect(chiSquareTest([0, 5, 5], [0, 0.5, 0.5]).degreesOfFreedom).toBe(1);
  });
});
