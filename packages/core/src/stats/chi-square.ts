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
  return { statistic, degreesOfFreedom, pValue: chiSquareSurvival(statistic, degreesOfFreedom) };
}

/**
 * P(χ²_k ≥ x): the upper tail of the chi-square distribution with k degrees of freedom, as the
 * regularized upper incomplete gamma function Q(k/2, x/2). Computed directly (not as 1 − CDF), so
 * small p-values keep their relative precision.
 */
export function chiSquareSurvival(x: number, k: number): number {
  if (!(k > 0)) throw new RangeError(`chiSquareSurvival: degrees of freedom must be > 0, got ${k}`);
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return upperRegularizedGamma(k / 2, x / 2);
}

/** Q(a, x) = Γ(a, x) / Γ(a): a series below x = a + 1, Lentz's continued fraction above (Numerical Recipes §6.2). */
function upperRegularizedGamma(a: number, x: number): number {
  const logPrefactor = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // P(a, x) = e^{−x} x^a / Γ(a + 1) · Σ x^n / ((a + 1)…(a + n)).
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefactor));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let n = 1; n < 10_000; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(logPrefactor) * h;
}

/** ln Γ(z) for z > 0 (Lanczos, g = 7, 9 coefficients; relative error below 1e-15). */
function logGamma(z: number): number {
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const w = z - 1;
  let sum = coefficients[0]!;
  for (let i = 1; i < coefficients.length; i++) sum += coefficients[i]! / (w + i);
  const t = w + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (w + 0.5) * Math.log(t) - t + Math.log(sum);
}
