import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, chiSquareTest } from './chi-square.js';

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

  it('the upper tail matches tabulated critical values and closed forms', () => {
    // 5% critical values of χ² with 1, 10 and 100 degrees of freedom (standard tables, 9 digits).
    expect(chiSquareSurvival(3.841458821, 1)).toBeCloseTo(0.05, 9);
    expect(chiSquareSurvival(18.30703805, 10)).toBeCloseTo(0.05, 9);
    expect(chiSquareSurvival(124.3421134, 100)).toBeCloseTo(0.05, 9);
    // k = 2: exactly e^{−x/2}; k = 1 far in the tail: erfc(√15) = 4.3204630…e−8 (relative precision kept).
    for (const x of [0.1, 1, 10, 50]) expect(chiSquareSurvival(x, 2) / Math.exp(-x / 2)).toBeCloseTo(1, 12);
    expect(chiSquareSurvival(30, 1) / 4.320463057e-8).toBeCloseTo(1, 8);
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(Number.POSITIVE_INFINITY, 3)).toBe(0);
  });
});
