import type * as tf from '@tensorflow/tfjs';

/** Tensors an optimizer carries between steps (moments, recurrent state), by name. */
export type OptimizerState = Record<string, tf.Tensor>;

/**
 * One interface for hand-designed and learned update rules. Optimizers are functional and act
 * coordinatewise on a parameter tensor of any shape (typically `[instances, params]`):
 * `step` returns the update to *add* to the parameters and the next state. It never disposes
 * its inputs; the caller owns the old state and disposes it (see {@link disposeState}).
 *
 * @example
 * ```ts
 * const opt = new Adam({ learningRate: 0.01 });
 * let state = opt.init(params);
 * const { update, state: next } = opt.step(gradient, state, 0);
 * params = tf.add(params, update);
 * ```
 */
export interface Optimizer {
  readonly name: string;
  /** Fresh state for parameters shaped like `params`. */
  init(params: tf.Tensor): OptimizerState;
  /** The update Δθ for this gradient, and the next state. `step` counts from 0. */
  step(
    gradient: tf.Tensor,
    state: OptimizerState,
    step: number,
  ): { update: tf.Tensor; state: OptimizerState };
  /** Plain-JSON description (name and hyperparameters). */
  describe(): Record<string, unknown>;
}

/** Disposes every tensor of an optimizer state. */
export function disposeState(state: OptimizerState): void {
  for (const t of Object.values(state)) t.dispose();
}

/** A hand-designed optimizer parameterised by its learning rate, so a sweep can tune it. */
export interface TunableOptimizer extends Optimizer {
  readonly learningRate: number;
}

/** Builds a tunable optimizer for a learning rate. */
export type OptimizerFactory = (learningRate: number) => TunableOptimizer;
