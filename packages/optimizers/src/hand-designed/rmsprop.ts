import * as tf from '@tensorflow/tfjs';
import type { OptimizerState, TunableOptimizer } from './optimizer.js';

/** Options of {@link RmsProp}. */
export interface RmsPropOptions {
  learningRate: number;
  /** ρ, decay of the squared-gradient average. Default 0.9. */
  decay?: number;
  /** ε. Default 1e-8. */
  epsilon?: number;
}

/**
 * RMSProp (Tieleman & Hinton 2012): s ← ρ·s + (1−ρ)·g², Δθ = −α·g / (√s + ε).
 *
 * @example
 * ```ts
 * const opt = new RmsProp({ learningRate: 1e-3 });
 * ```
 */
export class RmsProp implements TunableOptimizer {
  readonly name = 'rmsprop';
  readonly learningRate: number;
  readonly decay: number;
  readonly epsilon: number;
  constructor(options: RmsPropOptions) {
    this.learningRate = options.learningRate;
    this.decay = options.decay ?? 0.9;
    this.epsilon = options.epsilon ?? 1e-8;
  }
  init(params: tf.Tensor): OptimizerState {
    return { meanSquare: tf.zerosLike(params) };
  }
  step(gradient: tf.Tensor, state: OptimizerState) {
    return tf.tidy(() => {
      const meanSquare = tf.add(
        tf.mul(state.meanSquare!, this.decay),
        tf.mul(tf.square(gradient), 1 - this.decay),
      );
      const update = tf.div(tf.mul(gradient, -this.learningRate), tf.add(tf.sqrt(meanSquare), this.epsilon));
      return { update, state: { meanSquare } };
    });
  }
  describe() {
    return { name: this.name, learningRate: this.learningRate, decay: this.decay, epsilon: this.epsilon };
  }
}
