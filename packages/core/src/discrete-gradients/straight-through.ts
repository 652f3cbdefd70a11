import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.js';

/**
 * Forward value computed from `x` by `forward` (any non-differentiable map to the same
 * shape), backward pass the identity: the gradient reaching the output is passed to `x`
 * unchanged. The forward value is exact (no `hard - sg(soft) + soft` rounding).
 *
 * @example
 * ```ts
 * const y = straightThrough(x, (t) => tf.round(t)); // dy/dx = 1
 * ```
 */
export function straightThrough(x: tf.Tensor, forward: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const op = tf.customGrad((input) => ({
    value: forward(input as tf.Tensor),
    gradFunc: (dy) => dy,
  }));
  return op(x);
}

/**
 * Identity in the forward pass, zero gradient in the backward pass (tfjs has no `stopGradient`).
 *
 * @example
 * ```ts
 * const baseline = stopGradient(values.mean());
 * ```
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((input) => ({
    value: (input as tf.Tensor).clone(),
    gradFunc: (dy) => tf.zerosLike(dy as tf.Tensor),
  }));
  return op(x) as T;
}

/** `round(x)` forward, identity gradient backward. */
export function roundStraightThrough(x: tf.Tensor): tf.Tensor {
  return straightThrough(x, (t) => tf.round(t));
}

/** `sign(x)` forward (−1, 0 or +1), identity gradient backward. */
export function signStraightThrough(x: tf.Tensor): tf.Tensor {
  return straightThrough(x, (t) => tf.sign(t));
}

/** `x > threshold ? 1 : 0` forward, identity gradient backward. */
export function thresholdStraightThrough(x: tf.Tensor, threshold = 0.5): tf.Tensor {
  return straightThrough(x, (t) => tf.cast(tf.greater(t, threshold), 'float32'));
}

/**
 * Bernoulli straight-through (Bengio et al. 2013): samples `b ~ Bernoulli(probs)` in the
 * forward pass and passes the gradient to `probs` as the identity.
 *
 * @example
 * ```ts
 * const b = bernoulliStraightThrough(tf.sigmoid(logits), rng.child('gates'));
 * ```
 */
export function bernoulliStraightThrough(probs: tf.Tensor, rng: Rng): tf.Tensor {
  return tf.tidy(() => {
    const u = rng.uniform(probs.shape);
    return straightThrough(probs, (p) => tf.cast(tf.less(u, p), 'float32'));
  });
}

/** Options of {@link slopeAnnealedStraightThrough}. */
export interface SlopeAnnealedOptions {
  /** Slope m of the sigmoid σ(m·x); anneal it upwards during training (Chung et al. 2016). */
  slope: number | tf.Scalar;
  /** Sample `b ~ Bernoulli(σ(m·x))` instead of thresholding σ(m·x) at 0.5. Needs `rng`. */
  stochastic?: boolean;
  rng?: Rng;
}

/**
 * Slope-annealed straight-through binary unit (Chung, Ahn & Bengio 2016): forward pass is
 * the binary value `step(σ(m·x) − 0.5)` (or a Bernoulli sample of σ(m·x)); backward pass is
 * the gradient of σ(m·x). Raising the slope m makes the surrogate gradient less biased.
 *
 * @example
 * ```ts
 * const h = slopeAnnealedStraightThrough(preActivation, { slope: 1 + 0.04 * epoch });
 * ```
 */
export function slopeAnnealedStraightThrough(x: tf.Tensor, options: SlopeAnnealedOptions): tf.Tensor {
  return tf.tidy(() => {
    const soft = tf.sigmoid(tf.mul(x, options.slope));
    if (options.stochastic) {
      if (!options.rng) throw new Error('slopeAnnealedStraightThrough: stochastic mode needs options.rng');
      return bernoulliStraightThrough(soft, options.rng);
    }
    return thresholdStraightThrough(soft, 0.5);
  });
}
