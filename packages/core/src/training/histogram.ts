/**
 * A summary of many values, in the shape of TensorBoard's `HistogramProto`: bucket `i` counts the
 * values in (`limits[i - 1]`, `limits[i]`] (the first bucket everything ≤ `limits[0]`).
 */
export interface Histogram {
  min: number;
  max: number;
  count: number;
  sum: number;
  sumSquares: number;
  /** Right edges of the buckets, increasing. */
  limits: number[];
  counts: number[];
}

/**
 * Summarises `values` in `buckets` equal-width buckets between their minimum and maximum.
 * Non-finite values are left out (a histogram of them would say nothing); an empty input gives a
 * histogram with no buckets.
 *
 * @example
 * ```ts
 * const h = histogramOf(Float32Array.of(0, 1, 1, 2), 2); // limits [1, 2], counts [3, 1]
 * ```
 */
export function histogramOf(values: ArrayLike<number>, buckets = 30): Histogram {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let count = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    count++;
    sum += v;
    sumSquares += v * v;
  }
  if (count === 0) return { min: 0, max: 0, count: 0, sum: 0, sumSquares: 0, limits: [], counts: [] };
  const width = (max - min) / buckets;
  if (width === 0) return { min, max, count, sum, sumSquares, limits: [max], counts: [count] };
  const limits = Array.from({ length: buckets }, (_, b) => (b === buckets - 1 ? max : min + width * (b + 1)));
  const counts = new Array<number>(buckets).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    // The bucket whose right edge is the first ≥ v (edges are right-inclusive, as TensorBoard's).
    let b = Math.min(buckets - 1, Math.max(0, Math.ceil((v - min) / width) - 1));
    while (b > 0 && v <= limits[b - 1]!) b--;
    while (b < buckets - 1 && v > limits[b]!) b++;
    counts[b]!++;
  }
  return { min, max, count, sum, sumSquares, limits, counts };
}
