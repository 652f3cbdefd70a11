import type { Rng } from '@metagrad/core';

/**
 * A distribution over tasks (MDPs), batched: `sampleTasks` draws one task per trial and returns
 * a {@link TaskBatch} that advances all trials in lockstep. Environments are small and tabular,
 * so they run on typed arrays; the agent's network is what runs as tensors.
 *
 * To add an environment, implement this interface (and {@link TaskBatch}).
 */
export interface Env {
  readonly name: string;
  readonly numActions: number;
  /** Length of one observation vector (0 for bandits). */
  readonly observationSize: number;
  /** Steps per episode; all episodes of a trial have this length. */
  readonly episodeLength: number;
  /** Draws a fresh task for each of `batch` trials. */
  sampleTasks(rng: Rng, batch: number): TaskBatch;
  /** Plain-JSON description, for configs and tables. */
  describe(): Record<string, unknown>;
}

/** One step of all trials. */
export interface StepResult {
  /** Next observations `[batch × observationSize]` (the next episode's first, when `episodeDone`). */
  observations: Float32Array;
  rewards: Float32Array;
  /** The step ended an episode (the same for every trial: episodes run in lockstep). */
  episodeDone: boolean;
}

/** The sampled tasks of a batch of trials, and their current positions. */
export interface TaskBatch {
  readonly batch: number;
  /** Starts a new episode in every trial; returns the first observations. */
  reset(): Float32Array;
  /** Applies one action per trial. Reward noise comes from `rng`. */
  step(actions: Int32Array, rng: Rng): StepResult;
  /** Expected reward of the best fixed behaviour per episode, when known (for regret); else undefined. */
  optimalEpisodeReturn?(trial: number): number;
}
