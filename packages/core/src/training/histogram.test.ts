import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { histogramOf } from './histogram.js';

describe('histogramOf', () => {
  it('puts every value in the bucket whose right-inclusive edges hold it', () => {
    const h = histogramOf(Float32Array.of(0, 1, 1, 2), 2);
    expect(h.limits).toEqual([1, 2]);
    expect(h.counts).toEqual([3, 1]);
    expect(h).toMatchObject({ min: 0, max: 2, count: 4, sum: 4, sumSquares: 6 });
  });

  it('counts every finite value once, each inside its bucket, and leaves non-finite ones out', () => {
    const rng = new Rng('histogram');
    const values = Array.from({ length: 10_000 }, () => rng.normal());
    values.push(Number.NaN, Number.POSITIVE_INFINITY);
    const h = histogramOf(values, 17);
    expect(h.count).toBe(10_000);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(10_000);
    const finite = values.filter(Number.isFinite);
    for (let b = 0; b < h.limits.length; b++) {
      const low = b === 0 ? Number.NEGATIVE_INFINITY : h.limits[b - 1]!;
      expect(finite.filter((v) => v > low && v <= h.limits[b]!).length).toBe(h.counts[b]);
    }
  });

  it('summarises a constant and an empty input without dividing by zero', () => {
    expect(histogramOf([3, 3, 3])).toMatchObject({ limits: [3], counts: [3], count: 3 });
    expect(histogramOf([])).toMatchObject({ limits: [], counts: [], count: 0 });
  });
});
