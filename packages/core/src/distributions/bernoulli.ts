import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.js';
import { expandForSamples } from './categorical.js';
import type { DistributionWithEntropy } from './distribution.js';

/**
 * Bernoulli distribution with log-odds `logits`. Samples are float32 0/1; `logProb` and
 * `entropy` are differentiable in the logits and computed stably through softplus.
 *
 * @example
 * ```ts
 * const gate = new Bernoulli(gateLogits);
 * const b = gate.sample(rng);
 * const logP = gate.logProb(b); // for REINFORCE
 * ```
 */
export class Bernoulli implements DistributionWithEntropy {
  readonly logits: tf.Tensor;

  constructor(logits: tf.Tensor) {
    this.logits = logits;
  }

  /** P(x = 1). */
  probs(): tf.Tensor {
    return tf.sigmoid(this.logits);
  }

  sample(rng: Rng, sampleShape: number[] = []): tf.Tensor {
    return tf.tidy(() => {
      const logits = expandForSamples(this.logits, sampleShape);
      // u < σ(l)  ⇔  logit(u) < l, which avoids rounding σ(l) for large |l|.
      const u = rng.uniform(logits.shape);
      const logitU = tf.sub(tf.log(u), tf.log1p(tf.neg(u)));
      return tf.cast(tf.less(logitU, logits), 'float32');
    });
  }

  /** `x·l − softplus(l)`. */
  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sub(tf.mul(value, this.logits), tf.softplus(this.logits)));
  }

  /** `softplus(l) − l·σ(l)`. */
  entropy(): tf.Tensor {
    return tf.tidy(() => tf.sub(tf.softplus(this.logits), tf.mul(this.logits, tf.sigmoid(this.logits))));
  }
}
