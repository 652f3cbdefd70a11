/** A sample mean with its standard error. */
export interface MeanAndStandardError {
  mean: number;
  /** Sample standard deviation / √n; NaN with fewer than two values (it cannot be estimated). */
  stderr: number;
  n: number;
}

/**
 * The mean of `values` and its standard error (the unbiased sample variance, divided by n).
 *
 * @example
 * ```ts
 * meanAndStandardError([1, 2, 3]); // { mean: 2, stderr: 0.577…, n: 3 }
 * ```
 */
export function meanAndStandardError(values: ArrayLike<number>): MeanAndStandardError {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = n > 0 ? sum / n : Number.NaN;
  if (n < 2) return { mean, stderr: Number.NaN, n };
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return { mean, stderr: Math.sqrt(squares / (n - 1) / n), n };
}
