import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.js';

/**
 * Standard Gumbel noise `−log(−log u)`. The uniforms come from {@link Rng.uniform}, which
 * keeps them strictly inside (0, 1) in float32, so every draw is finite.
 *
 * @example
 * ```ts
 * const g = sampleGumbel([128, 10], new Rng(0));
 * ```
 */
export function sampleGumbel(shape: number[], rng: Rng): tf.Tensor {
  return tf.tidy(() => tf.neg(tf.log(tf.neg(tf.log(rng.uniform(shape))))));
}

/** `logits + Gumbel noise`, the perturbed logits shared by Gumbel-max, top-k and Gumbel-softmax. */
export function perturbLogits(logits: tf.Tensor, rng: Rng): tf.Tensor {
  return tf.tidy(() => tf.add(logits, sampleGumbel(logits.shape, rng)));
}

/**
 * Exact categorical sampling by the Gumbel-max trick: `argmax(logits + G)` along the last
 * axis is distributed as `softmax(logits)`. Returns int32 indices of shape `logits.shape[:-1]`.
 *
 * @example
 * ```ts
 * const actions = gumbelMax(policyLogits, rng.child('actions')); // [batch] int32
 * ```
 */
export function gumbelMax(logits: tf.Tensor, rng: Rng): tf.Tensor {
  return tf.tidy(() => tf.argMax(perturbLogits(logits, rng), -1));
}

/**
 * Sampling `k` items without replacement by Gumbel-top-k (Kool et al. 2019): the indices of
 * the `k` largest perturbed logits along the last axis, in order, are a draw from the
 * Plackett-Luce (sequential softmax) distribution. Returns int32 indices `[..., k]`.
 *
 * @example
 * ```ts
 * const subset = gumbelTopK(scores, 3, rng); // 3 distinct indices per row
 * ```
 */
export function gumbelTopK(logits: tf.Tensor, k: number, rng: Rng): tf.Tensor {
  const n = logits.shape[logits.rank - 1] ?? 0;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new RangeError(`gumbelTopK: k must be an integer in [1, ${n}], got ${k}`);
  }
  return tf.tidy(() => tf.topk(perturbLogits(logits, rng), k, true).indices);
}
