import type { KernelChoice, Rng } from '@metagrad/core';
import type * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../hand-designed/optimizer.js';
import type { NamedWeight } from './coordinatewise-lstm.js';

/** What an update step may depend on besides gradient and state. */
export interface StepContext {
  /** Optimisation step within the inner run (0-based). */
  step: number;
  /** Noise for stochastic update rules; the same stream must give the same update. */
  rng: Rng;
  /** Meta-training step, for schedules (temperature). */
  metaStep: number;
  /**
   * Set when this step updates coordinates [start, start + N) of a batch of `total` (a gradient
   * worker's shard): stochastic rules draw noise for the whole batch and keep their part, so the
   * shards together make the same draws as the whole batch.
   */
  coordinates?: { start: number; total: number };
}

/**
 * A learned optimizer's state between steps, opaque to trainers: named tensors `[rows, N]` with one
 * column per coordinate. Trainers store them by name, split them by columns across gradient
 * workers and join them again, without knowing what the rows mean (LSTM layers' h and c, moments,
 * anything else).
 */
export type LearnedOptimizerState = Record<string, tf.Tensor2D>;

/** Disposes every tensor of a learned optimizer's state. */
export function disposeLearnedState(state: LearnedOptimizerState): void {
  for (const t of Object.values(state)) t.dispose();
}

/**
 * A learned update rule: a network mapping gradient features and a recurrent state to updates,
 * coordinatewise. It is an {@link Optimizer} (for evaluation and drop-in use); the meta-trainer
 * differentiates its {@link LearnedOptimizer.update} through the unroll with tfjs's autodiff.
 *
 * Coordinates run along columns: gradients enter as `[1, N]`, updates leave as `[1, N]`.
 */
export interface LearnedOptimizer extends Optimizer {
  /** Trainable meta-parameters. */
  readonly variables: tf.Variable[];
  /** Implementation of its fused ops: SIMD WebAssembly kernels or tfjs composites (default `auto`). */
  kernels: KernelChoice;
  /** Plain-JSON configuration from which the optimizer is rebuilt. */
  config(): LearnedOptimizerConfig;
  /** Fresh state for `numCoordinates` coordinates. */
  initialState(numCoordinates: number): LearnedOptimizerState;
  /** The context `step` uses outside meta-training (its own noise stream, final temperature). */
  contextForStep(step: number): StepContext;
  /**
   * One update for gradients `[1, N]`: `{ update: [1, N], state }`. Differentiable in
   * {@link variables} (and in the gradient) under a tfjs tape such as `tf.variableGrads`.
   */
  update(
    gradient: tf.Tensor2D,
    state: LearnedOptimizerState,
    context: StepContext,
  ): { update: tf.Tensor2D; state: LearnedOptimizerState };
  /** The weights' names, in the order of {@link variables}. */
  weightNames(): string[];
  /** Weights as plain data (one read from the backend), and back. */
  weightValues(): Promise<NamedWeight[]>;
  setWeightValues(weights: NamedWeight[]): void;
  dispose(): void;
}

/** The serialisable description of a learned optimizer. */
export interface LearnedOptimizerConfig {
  kind: 'lstm' | 'discrete-lstm';
  layers: number[];
  /** LogAndSign's k. */
  preprocessK: number;
  /** Output scale applied to the network's step. */
  outputScale: number;
  /** Initialisation of the output layer: zeros, or N(0, 0.01²). */
  outputInit: 'zeros' | 'small';
  /** Discrete variant only: the signed step sizes to choose among. */
  stepSizes?: number[];
  /** Discrete variant only: temperature schedule τ = max(min, initial·exp(−rate·t)), updated every N meta-steps. */
  temperature?: { initial: number; min: number; rate: number; every: number };
}
