import type { NamedValues, ProgramCheckpoint, Rng } from '@metagrad/core';
import type { LearnedOptimizer } from '../learned/learned-optimizer.js';
import type { TaskFamily } from '../tasks/task.js';
import type { InnerRun, MetaGradientResult, MetaObjective } from './meta-gradient.js';

/** One truncation to estimate a meta-gradient over. */
export interface TruncationRequest {
  optimizer: LearnedOptimizer;
  /** The inner run where the truncation starts (the estimator does not dispose it). */
  run: InnerRun;
  /** Inner steps in this truncation. */
  unroll: number;
  /** Meta-training step, for schedules (temperature). */
  metaStep: number;
  /** What each inner step contributes to the meta-loss. */
  objective: MetaObjective;
  /** The epoch's noise stream: child `t` is the noise of inner step t. */
  noise: Rng;
  /** Where the run's tasks come from, so that gradient workers can rebuild them. */
  family: TaskFamily;
  /** Seed of the stream the run's task was sampled with. */
  taskSeed: string;
}

/**
 * How the outer loop gets ∂L/∂φ for one truncation: truncated backpropagation
 * ({@link TruncatedBackprop}), evolution strategies ({@link TruncatedEs}) or persistent ES
 * ({@link PersistentEs}).
 * {@link MetaTrainer} only calls this interface, so a new estimator needs no change to the outer loop.
 */
export interface MetaGradientEstimator {
  readonly name: string;
  /** The meta-loss, its gradient for every optimizer variable (in order), and the advanced run. */
  estimate(request: TruncationRequest): Promise<MetaGradientResult>;
  /**
   * The state a checkpoint must hold for an exact resume (persistent ES's particles), or nothing for
   * a stateless estimator.
   */
  checkpoint?(): Promise<ProgramCheckpoint | undefined>;
  /** Restores what {@link checkpoint} saved; `run` is the restored inner run it belongs to. */
  restore?(state: Record<string, unknown>, tensors: Record<string, NamedValues[]>, run: InnerRun): void;
  /** Frees what the estimator holds (worker threads, particles). */
  dispose(): Promise<void>;
}
