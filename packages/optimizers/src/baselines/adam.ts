import * as tf from '@tensorflow/tfjs';
import type { OptimizerState, TunableOptimizer } from './optimizer.js';

/** Options of {@link Adam}. */
export interface AdamOptions {
  learningRate: number;
  /** β₁. Default 0.9. */
  beta1?: number;
  /** β₂. Default 0.999. */
  beta2?: number;
  /** ε. Default 1e-8. */
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba 2015) with bias correction:
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², Δθ = −α·m̂ / (√v̂ + ε).
 *
 * @example
 * ```ts
 * const opt = new Adam({ learningRate: 0.1 });
 * ```
 */
export class Adam implements TunableOptimizer {
  readonly name = 'adam';
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  constructor(options: AdamOptions) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
  }
  init(params: tf.Tensor): OptimizerState {
    return { m: tf.zerosLike(params), v: tf.zerosLike(params) };
  }
  step(gradient: tf.Tensor, state: OptimizerState, step: number) {
    return tf.tidy(() => {
      const t = step + 1;
      const m = tf.add(tf.mul(state.m!, this.beta1), tf.mul(gradient, 1 - this.beta1));
      const v = tf.add(tf.mul(state.v!, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2));
      // Fold both bias corrections into the step size: α·√(1−β₂ᵗ)/(1−β₁ᵗ).
      const stepSize = (this.learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
      const epsilonHat = this.epsilon * Math.sqrt(1 - this.beta2 ** t);
      const update = tf.div(tf.mul(m, -stepSize), tf.add(tf.sqrt(v), epsilonHat));
      return { update, state: { m, v } };
    });
  }
  describe() {
    return {
      name: this.name,
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
    };
  }
}
