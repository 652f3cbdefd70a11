import * as tf from '@tensorflow/tfjs';
import type { OptimizerState, TunableOptimizer } from './optimizer.js';

/**
 * Plain gradient descent: Δθ = −α·g.
 *
 * @example
 * ```ts
 * const sgd = new Sgd({ learningRate: 0.1 });
 * ```
 */
export class Sgd implements TunableOptimizer {
  readonly name = 'sgd';
  readonly learningRate: number;
  constructor(options: { learningRate: number }) {
    this.learningRate = options.learningRate;
  }
  init(): OptimizerState {
    return {};
  }
  step(gradient: tf.Tensor, state: OptimizerState) {
    return { update: tf.mul(gradient, -this.learningRate), state };
  }
  describe() {
    return { name: this.name, learningRate: this.learningRate };
  }
}
