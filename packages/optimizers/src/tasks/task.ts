import type { Rng } from '@metagrad/core';
import type * as tf from '@tensorflow/tfjs';
import type { TaskFamilySpec } from './family-spec.js';

/**
 * A batch of optimisation problems solved side by side as one tensor program: `numInstances`
 * independent instances, each with `numParams` parameters, stored as a `[numInstances, numParams]`
 * matrix. Learned and hand-designed optimizers act on it coordinatewise.
 */
export interface Task {
  readonly name: string;
  readonly numInstances: number;
  readonly numParams: number;
  /** Fresh initial parameters `[numInstances, numParams]` (the same on every call). */
  initialParams(): tf.Tensor2D;
  /** Per-instance loss `[numInstances]`; `step` picks the minibatch, so a step's data is reproducible. */
  loss(params: tf.Tensor2D, step: number): tf.Tensor1D;
  /**
   * Optional analytic loss and gradient, for speed; when absent, {@link lossAndGradient}
   * differentiates `loss`.
   */
  lossAndGradient?(params: tf.Tensor2D, step: number): LossAndGradient;
  /**
   * Optional: instances [start, start + count) as a task of their own, with the losses and gradients
   * they have here (a gradient worker's shard of the batch). The subset owns its tensors.
   */
  subset?(start: number, count: number): Task;
  /** Frees the tensors the task owns. */
  dispose(): void;
}

/** Per-instance losses `[B]` and gradients `[B, n]`. */
export interface LossAndGradient {
  loss: tf.Tensor1D;
  gradient: tf.Tensor2D;
}

/**
 * A distribution over tasks (google/learned_optimization's split between tasks and task families).
 * `sample` draws `numInstances` problems from the family with the given stream.
 */
export interface TaskFamily {
  readonly name: string;
  sample(rng: Rng, numInstances: number): Task;
  /** Plain-JSON description, for run configs. */
  describe(): Record<string, unknown>;
  /**
   * Optional: what another thread needs to build the same family ({@link taskFamilyFromSpec});
   * families with a spec and tasks with {@link Task.subset} can be meta-trained on several workers.
   */
  spec?(): TaskFamilySpec;
  /** Frees tensors shared by the family's tasks (e.g. an uploaded data set). */
  dispose(): void;
}
