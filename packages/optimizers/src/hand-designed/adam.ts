import { adamUpdate } from '@metagrad/core';
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
    const { update, m, v } = adamUpdate(gradient, state.m!, state.v!, step + 1, this);
    return { update, state: { m, v } };
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
