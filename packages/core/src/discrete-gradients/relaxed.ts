import * as tf from '@tensorflow/tfjs';
import type { Temperature } from '../distributions/temperature.js';
import { gumbelSoftmax } from '../gumbel/gumbel-softmax.js';
import type { Rng } from '../random/rng.js';
import type { ChoiceObjective, Estimator } from './estimator.js';

/** Options of {@link GumbelSoftmaxEstimator}. */
export interface GumbelSoftmaxEstimatorOptions {
  /** τ, or a function of nothing returning the current τ (e.g. a schedule's value). Default 1. */
  temperature?: Temperature | (() => Temperature);
  /** Straight-through: evaluate f at exact one-hots, differentiate through the soft sample. */
  hard?: boolean;
}

/**
 * The reparameterised Gumbel-softmax estimator: the gradient of `mean f(softmax((l + G)/τ))`.
 * Low variance but biased; the bias vanishes as τ → 0. With `hard: true` it is the
 * straight-through Gumbel estimator (f sees exact one-hot samples).
 *
 * @example
 * ```ts
 * const schedule = new ExponentialDecaySchedule({ initial: 1, rate: 1e-3, min: 0.5 });
 * const est = new GumbelSoftmaxEstimator({ temperature: () => schedule.value(step) });
 * ```
 */
export class GumbelSoftmaxEstimator implements Estimator {
  readonly name: string;
  private readonly temperature: Temperature | (() => Temperature);
  private readonly hard: boolean;

  constructor(options: GumbelSoftmaxEstimatorOptions = {}) {
    this.temperature = options.temperature ?? 1;
    this.hard = options.hard ?? false;
    this.name = this.hard ? 'st-gumbel' : 'gumbel-softmax';
  }

  surrogate(logits: tf.Tensor, objective: ChoiceObjective, rng: Rng): tf.Scalar {
    const temperature = typeof this.temperature === 'function' ? this.temperature() : this.temperature;
    return tf.tidy(() =>
      tf.mean(objective(gumbelSoftmax(logits, { temperature, hard: this.hard, seed: rng }))),
    );
  }
}
