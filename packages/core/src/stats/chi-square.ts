import chiSquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';

/** Result of {@link chiSquareTest}. */
export interface ChiSquareResult {
  statistic: number;
  degreesOfFreedom: number;
  /** P(χ² ≥ statistic) under the null hypothesis. */
  pValue: number;
}

/**
 * Pearson's chi-square goodness-of-fit test of observed counts against expected
 * probabilities. Categories with zero expected probability must have zero counts.
 *
 * @example
 * ```ts
 * const { pValue } = chiSquareTest(counts, softmaxProbs);
 * if (pValue < 1e-3) throw new Error('sampler does not follow softmax(logits)');
 * ```
 */
export function chiSquareTest(
  observed: ArrayLike<number>,
  expectedProbs: ArrayLike<number>,
): ChiSquareResult {
  if (observed.length !== expectedProbs.length) {
    throw new RangeError(
      `chiSquareTest: ${observed.length} counts but ${expectedProbs.length} probabilities`,
    );
  }
  let total = 0;
  for (let i = 0; i < observed.length; i++) total += observed[i]!;
  let statistic = 0;
  let categories = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = total * expectedProbs[i]!;
    if (expected === 0) {
      if (observed[i] !== 0) return { statistic: Infinity, degreesOfFreedom: observed.length - 1, pValue: 0 };
      continue;
    }
    categories++;
    statistic += (observed[i]! - expected) ** 2 / expected;
  }
  const degreesOfFreedom = categories - 1;
  return { statistic, degreesOfFreedom, pValue: 1 - chiSquareCdf(statistic, degreesOfFreedom) };
}
