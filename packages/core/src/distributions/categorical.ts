import * as tf from '@tensorflow/tfjs';
import { gumbelMax } from '../gumbel/gumbel.js';
import { resolveCategoryAxis } from '../gumbel/gumbel-softmax.js';
import type { Rng } from '../random/rng.js';
import type { DistributionWithEntropy } from './distribution.js';

/** Broadcasts `params` to `[...sampleShape, ...params.shape]`. */
export function expandForSamples(params: tf.Tensor, sampleShape: number[]): tf.Tensor {
  if (sampleShape.length === 0) return params;
  return tf.broadcastTo(params, [...sampleShape, ...params.shape]);
}

/**
 * Categorical distribution over the last axis of `logits` (unnormalised log-probabilities).
 * Samples are int32 indices drawn exactly by Gumbel-max; `logProb` and `entropy` are
 * differentiable in the logits, for score-function (REINFORCE) estimators and entropy bonuses.
 *
 * `logProb` uses a one-hot product rather than `gather`, whose gradient kernel
 * (UnsortedSegmentSum) the wasm backend lacks.
 *
 * @example
 * ```ts
 * const pi = new Categorical(policyLogits);       // [batch, actions]
 * const a = pi.sample(rng);                       // [batch] int32
 * const loss = tf.neg(tf.mean(tf.mul(pi.logProb(a), advantages)));
 * ```
 */
export class Categorical implements DistributionWithEntropy {
  readonly logits: tf.Tensor;
  readonly numCategories: number;

  constructor(logits: tf.Tensor) {
    resolveCategoryAxis(logits);
    this.logits = logits;
    this.numCategories = logits.shape[logits.rank - 1]!;
  }

  /** Normalised log-probabilities. */
  logProbs(): tf.Tensor {
    return tf.logSoftmax(this.logits);
  }

  /** Probabilities (softmax of the logits). */
  probs(): tf.Tensor {
    return tf.softmax(this.logits);
  }

  sample(rng: Rng, sampleShape: number[] = []): tf.Tensor {
    return tf.tidy(() => gumbelMax(expandForSamples(this.logits, sampleShape), rng));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const oneHot = tf.oneHot(tf.cast(value, 'int32'), this.numCategories).asType('float32');
      return tf.sum(tf.mul(oneHot, this.logProbs()), -1);
    });
  }

  entropy(): tf.Tensor {
    return tf.tidy(() => {
      const logP = this.logProbs();
      return tf.neg(tf.sum(tf.mul(tf.exp(logP), logP), -1));
    });
  }
}
