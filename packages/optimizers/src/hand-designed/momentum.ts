import * as tf from '@tensorflow/tfjs';
import type { OptimizerState, TunableOptimizer } from './optimizer.js';

/** Options of {@link Momentum} and {@link Nesterov}. */
export interface MomentumOptions {
  learningRate: number;
  /** μ. Default 0.9. */
  momentum?: number;
}

/**
 * Heavy-ball momentum: v ← μ·v − α·g, Δθ = v.
 *
 * @example
 * ```ts
 * const opt = new Momentum({ learningRate: 0.01, momentum: 0.9 });
 * ```
 */
export class Momentum implements TunableOptimizer {
  readonly name: string = 'momentum';
  readonly learningRate: number;
  readonly momentum: number;
  constructor(options: MomentumOptions) {
    this.learningRate = options.learningRate;
    this.momentum = options.momentum ?? 0.9;
  }
  init(params: tf.Tensor): OptimizerState {
    return { velocity: tf.zerosLike(params) };
  }
  step(gradient: tf.Tensor, state: OptimizerState) {
    const velocity = tf.tidy(() =>
      tf.sub(tf.mul(state.velocity!, this.momentum), tf.mul(gradient, this.learningRate)),
    );
    return { update: velocity.clone(), state: { velocity } };
  }
  describe() {
    return { name: this.name, learningRate: this.learningRate, momentum: this.momentum };
  }
}

/**
 * Nesterov accelerated gradient in the form of Sutskever et al. (2013), with the gradient taken
 * at the current parameters: v ← μ·v − α·g, Δθ = μ·v − α·g.
 */
export class Nesterov extends Momentum {
  override readonly name = 'nag';
  override step(gradient: tf.Tensor, state: OptimizerState) {
    return tf.tidy(() => {
      const scaled = tf.mul(gradient, this.learningRate);
      const velocity = tf.sub(tf.mul(state.velocity!, this.momentum), scaled);
      return { update: tf.sub(tf.mul(velocity, this.momentum), scaled), state: { velocity } };
    });
  }
}
