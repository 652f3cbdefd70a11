import * as tf from '@tensorflow/tfjs';
import { thresholdStraightThrough } from '../discrete-gradients/straight-through.js';
import type { Rng } from '../random/rng.js';
import { Bernoulli } from './bernoulli.js';
import { expandForSamples } from './categorical.js';
import type { Distribution } from './distribution.js';
import { checkTemperature, type Temperature } from './temperature.js';

/** Logistic noise `log u − log(1 − u)` with the same shape as `like`. */
function logisticNoise(shape: number[], rng: Rng): tf.Tensor {
  return tf.tidy(() => {
    const u = rng.uniform(shape);
    return tf.sub(tf.log(u), tf.log1p(tf.neg(u)));
  });
}

/**
 * Binary Concrete / relaxed Bernoulli (Maddison et al. 2017): samples
 * `x = σ((l + L) / τ)` with L standard logistic noise, reparameterised in `logits` and τ.
 *
 * log p(x) = log τ + l − (τ+1)·log x + (τ−1)·log(1−x) − 2·softplus(l − τ·logit(x))
 *
 * @example
 * ```ts
 * const gates = new RelaxedBernoulli(0.5, gateLogits).sample(rng); // in (0, 1)
 * ```
 */
export class RelaxedBernoulli implements Distribution {
  readonly temperature: Temperature;
  readonly logits: tf.Tensor;

  constructor(temperature: Temperature, logits: tf.Tensor) {
    this.temperature = checkTemperature(temperature);
    this.logits = logits;
  }

  /** Pre-sigmoid sample `(l + L) / τ` (logistic distribution), exposed for log-space work. */
  sampleLogit(rng: Rng, sampleShape: number[] = []): tf.Tensor {
    return tf.tidy(() => {
      const logits = expandForSamples(this.logits, sampleShape);
      return tf.div(tf.add(logits, logisticNoise(logits.shape, rng)), this.temperature);
    });
  }

  sample(rng: Rng, sampleShape: number[] = []): tf.Tensor {
    return tf.tidy(() => tf.sigmoid(this.sampleLogit(rng, sampleShape)));
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const tau = this.temperature;
      const logX = tf.log(value);
      const log1mX = tf.log1p(tf.neg(value));
      const logTau = tf.log(tau);
      return tf.addN([
        tf.add(logTau, this.logits),
        tf.neg(tf.mul(tf.add(tau, 1), logX)),
        tf.mul(tf.sub(tau, 1), log1mX),
        tf.mul(-2, tf.softplus(tf.sub(this.logits, tf.mul(tau, tf.sub(logX, log1mX))))),
      ]);
    });
  }
}

/**
 * Straight-through relaxed Bernoulli: `sample` returns exact 0/1 values (thresholding the
 * relaxed sample at 0.5, i.e. a true Bernoulli(σ(l)) draw) with the relaxed sample's gradient.
 * `logProb` scores 0/1 values under Bernoulli(σ(l)).
 */
export class StraightThroughRelaxedBernoulli extends RelaxedBernoulli {
  override sample(rng: Rng, sampleShape: number[] = []): tf.Tensor {
    return tf.tidy(() => thresholdStraightThrough(super.sample(rng, sampleShape), 0.5));
  }

  override logProb(value: tf.Tensor): tf.Tensor {
    return new Bernoulli(this.logits).logProb(value);
  }
}
