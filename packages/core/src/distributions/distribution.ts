import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.js';

/**
 * A batch of probability distributions parameterised by tensors.
 *
 * `sample` draws one value per batch element (or `sampleShape` of them, prepended);
 * `logProb` scores values of the same shape `sample` returns. Gradients flow from
 * `logProb` to the parameters; whether they flow through `sample` depends on the family
 * (reparameterised relaxations yes, discrete samples no).
 */
export interface Distribution {
  /** Draws samples using the given random stream. */
  sample(rng: Rng, sampleShape?: number[]): tf.Tensor;
  /** Log-density (continuous) or log-mass (discrete) of `value`, one number per batch element. */
  logProb(value: tf.Tensor): tf.Tensor;
}

/** A distribution with a closed-form entropy. */
export interface DistributionWithEntropy extends Distribution {
  /** Entropy per batch element, in nats. */
  entropy(): tf.Tensor;
}
