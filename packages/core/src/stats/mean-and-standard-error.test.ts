import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { meanAndStandardError } from './mean-and-standard-error.js';

describe('meanAndStandardError', () => {
  it('matches the textbook formula on a small sample', () => {
    const { mean, stderr, n } = meanAndStandardError([1, 2, 3, 6]);
    expect(mean).toBe(3);
    expect(n).toBe(4);
    expect(stderr).toBeCloseTo(Math.sqrt((4 + 1 + 0 + 9) / 3 / 4), 12);
  });

  it('covers the true mean at about the normal rate (1000 samples of 50 normals, 95% intervals)', () => {
    const rng = new Rng('coverage');
    let covered = 0;
    for (let s = 0; s < 1000; s++) {
      const { mean, stderr } = meanAndStandardError(Array.from({ length: 50 }, () => 2 + rng.normal()));
      if (Math.abs(mean - 2) <= 1.96 * stderr) covered++;
    }
    // Binomial(1000, ~0.945 at n = 50): 4 standard deviations is about ±29.
    expect(covered).toBeGreaterThan(945 - 29);
    expect(covered).toBeLessThan(945 + 29);
  });

  it('has no standard error for fewer than two values', () => {
    expect(meanAndStandardError([4]).stderr).toBeNaN();
    expect(meanAndStandardError([]).mean).toBeNaN();
  });
});
