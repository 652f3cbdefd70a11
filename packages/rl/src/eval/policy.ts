import type { Rng } from '@metagrad/core';
import type { Env, StepResult, TaskBatch } from '../env/env.js';

/**
 * Anything that acts in an environment across a trial: a trained RL² agent or a hand-designed
 * algorithm. `startTrials` begins a batch of trials with fresh beliefs; the returned run picks
 * actions and learns from outcomes until the trials end.
 */
export interface Policy {
  readonly name: string;
  startTrials(tasks: TaskBatch, env: Env, rng: Rng): PolicyRun;
  /** Hyperparameters, for tables and JSON. */
  describe(): Record<string, unknown>;
}

/** A policy acting in one batch of trials. */
export interface PolicyRun {
  /**
   * One action per trial for the current observations `[batch × observationSize]`; a policy on
   * tensors answers asynchronously, since a GPU backend can only read that way.
   */
  act(observations: Float32Array, rng: Rng): Int32Array | Promise<Int32Array>;
  /** The outcome of the actions just taken. */
  observe(actions: Int32Array, result: StepResult): void;
  /** Frees resources (tensors) held for the trials. */
  dispose?(): void;
}
