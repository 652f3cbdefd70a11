import * as tf from '@tensorflow/tfjs';

/**
 * Central finite-difference gradient of a scalar function of one tensor, computed in float32
 * with step `h`; returns the numeric gradient as a plain array. Test utility.
 */
export function numericGradient(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, h = 1e-2): number[] {
  const base = Array.from(x.dataSync());
  const out: number[] = [];
  for (let i = 0; i < base.length; i++) {
    const evalAt = (delta: number) =>
      tf.tidy(() => {
        const shifted = base.slice();
        shifted[i]! += delta;
        return f(tf.tensor(shifted, x.shape)).dataSync()[0]!;
      });
    out.push((evalAt(h) - evalAt(-h)) / (2 * h));
  }
  return out;
}

/** Largest |a − b| / max(1, |b|) over two arrays of equal length. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  }
  return worst;
}
