import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.js';

/**
 * A per-sample objective of a discrete choice: maps samples `[batch, K]` (one-hot, or relaxed
 * points on the simplex) to values `[batch]`. Relaxed estimators call it on soft samples, so
 * it must accept any point of the simplex.
 */
export type ChoiceObjective = (samples: tf.Tensor) => tf.Tensor;

/**
 * A gradient estimator for `∇_θ E_{z ~ Categorical(logits(θ))}[f(z)]`.
 *
 * `surrogate` returns a scalar whose gradient with respect to `logits` is the estimate
 * (for relaxed estimators also its value approximates the objective). Estimators are
 * interchangeable, so relaxed and unbiased ones can be compared on one problem.
 *
 * @example
 * ```ts
 * const est: Estimator = new ScoreFunctionEstimator({ baselineDecay: 0.9 });
 * const g = tf.grad((l) => est.surrogate(l, f, rng))(logits);
 * ```
 */
export interface Estimator {
  /** Short name for tables and logs. */
  readonly name: string;
  /** Scalar surrogate loss for one batch of samples; differentiate it with respect to `logits`. */
  surrogate(logits: tf.Tensor, objective: ChoiceObjective, rng: Rng): tf.Scalar;
}
