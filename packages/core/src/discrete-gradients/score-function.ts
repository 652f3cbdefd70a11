import * as tf from '@tensorflow/tfjs';
import { Categorical } from '../distributions/categorical.js';
import type { Rng } from '../random/rng.js';
import type { ChoiceObjective, Estimator } from './estimator.js';
import { stopGradient } from './straight-through.js';

/** Options of {@link ScoreFunctionEstimator}. */
export interface ScoreFunctionOptions {
  /** Subtract a moving-average baseline. Default true. */
  baseline?: boolean;
  /** Decay β of the baseline b ← β·b + (1−β)·mean f. Default 0.9. */
  baselineDecay?: number;
}

/**
 * Score-function (REINFORCE, Williams 1992) estimator with a moving-average baseline:
 * the gradient of `mean((f(z) − b)·log p(z))`, with z exact categorical samples and b the
 * running mean of f over earlier batches, so b is independent of the current samples and
 * the estimate stays unbiased. The baseline lives on the device: no host sync per step.
 *
 * @example
 * ```ts
 * const reinforce = new ScoreFunctionEstimator();
 * const { grads } = tf.variableGrads(() => reinforce.surrogate(logits, costOf, rng));
 * ```
 */
export class ScoreFunctionEstimator implements Estimator {
  readonly name = 'reinforce';
  readonly useBaseline: boolean;
  readonly baselineDecay: number;
  private baselineValue: tf.Scalar | undefined;

  constructor(options: ScoreFunctionOptions = {}) {
    const decay = options.baselineDecay ?? 0.9;
    if (!(decay >= 0 && decay < 1)) throw new RangeError(`baselineDecay must be in [0, 1), got ${decay}`);
    this.useBaseline = options.baseline ?? true;
    this.baselineDecay = decay;
  }

  /** The current baseline (a scalar tensor), or undefined before the first batch. */
  get baseline(): tf.Scalar | undefined {
    return this.baselineValue;
  }

  surrogate(logits: tf.Tensor, objective: ChoiceObjective, rng: Rng): tf.Scalar {
    return tf.tidy(() => {
      const dist = new Categorical(logits);
      const oneHot = tf.oneHot(dist.sample(rng), dist.numCategories).asType('float32');
      const f = stopGradient(objective(oneHot));
      const meanF = tf.mean(f);
      const advantage = this.useBaseline && this.baselineValue ? tf.sub(f, this.baselineValue) : f;
      const logP = tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), -1);
      const weighted = tf.mean(tf.mul(advantage, logP));
      this.updateBaseline(meanF);
      // Value: the batch estimate of E f; gradient: the REINFORCE estimate.
      return tf.add(tf.sub(weighted, stopGradient(weighted)), meanF) as tf.Scalar;
    });
  }

  /** Folds a batch mean into the moving-average baseline. */
  private updateBaseline(batchMean: tf.Tensor): void {
    if (!this.useBaseline) return;
    const previous = this.baselineValue;
    const next = previous
      ? tf.add(tf.mul(previous, this.baselineDecay), tf.mul(batchMean, 1 - this.baselineDecay))
      : batchMean.clone();
    this.baselineValue = tf.keep(stopGradient(next) as tf.Scalar);
    previous?.dispose();
  }

  /** Releases the baseline tensor. */
  dispose(): void {
    this.baselineValue?.dispose();
    this.baselineValue = undefined;
  }
}
