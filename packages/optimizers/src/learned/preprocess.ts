import * as tf from '@tensorflow/tfjs';

/**
 * LogAndSign gradient preprocessing (Andrychowicz et al. 2016, appendix A): each gradient
 * coordinate g becomes two features,
 *
 *   (log|g| / k, sign g)   if |g| ≥ e^−k
 *   (−1, e^k · g)          otherwise,
 *
 * computed branch-free as (log(max(|g|, e^−k)) / k, clip(e^k·g, −1, 1)). Coordinates run
 * along columns: any input shape is flattened to `[1, N]` and the output is `[2, N]`.
 *
 * @example
 * ```ts
 * logAndSign(tf.tensor1d([1e-6, 0.5]), 10).print(); // [[-1, -0.069], [0.022, 1]]
 * ```
 */
export function logAndSign(gradient: tf.Tensor, k: number): tf.Tensor2D {
  return tf.tidy(() => {
    const g = gradient.reshape([1, -1]);
    const logPart = tf.mul(tf.log(tf.maximum(tf.abs(g), Math.exp(-k))), 1 / k);
    const signPart = tf.clipByValue(tf.mul(g, Math.exp(k)), -1, 1);
    return tf.concat([logPart, signPart], 0) as tf.Tensor2D;
  });
}
