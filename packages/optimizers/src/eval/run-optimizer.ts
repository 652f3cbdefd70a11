import { readTensors } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { disposeState, type Optimizer, type OptimizerState } from '../hand-designed/optimizer.js';
import {
  disposeLearnedState,
  type LearnedOptimizer,
  type LearnedOptimizerState,
} from '../learned/learned-optimizer.js';
import { lossAndGradient } from '../tasks/loss-and-gradient.js';
import type { Task } from '../tasks/task.js';

/** Result of {@link runOptimizer}. */
export interface OptimizerRun {
  /** Mean loss over instances at steps 0..steps (`steps + 1` values; non-finite if it diverged). */
  curve: number[];
  /** Mean loss over instances after the last step. */
  finalLossMean: number;
  /** log10 of {@link finalLossMean} (Infinity when the run diverged). */
  log10FinalLoss: number;
  /** First step whose mean loss is at or below the threshold, if one was given and reached. */
  stepsToThreshold: number | null;
  /** Each instance's loss after the last step (for paired comparisons on the same tasks). */
  finalLosses: number[];
  /** log10 |update| of the recorded coordinates at every step, with `recordUpdates`. */
  log10UpdateSizes?: Float32Array;
}

/** Options of {@link runOptimizer}. */
export interface RunOptimizerOptions {
  steps: number;
  /** Loss threshold for `stepsToThreshold`. */
  threshold?: number;
  /**
   * Record the sizes of the updates to the first this-many coordinates (in row-major order over
   * instances) at every step, for a histogram; default none.
   */
  recordUpdates?: number;
}

export function isLearnedOptimizer(optimizer: Optimizer): optimizer is LearnedOptimizer {
  return typeof (optimizer as Partial<LearnedOptimizer>).initialState === 'function';
}

/**
 * Runs an optimizer on every instance of a task for `steps` steps and records the mean loss
 * per step. Losses stay on the device until the end (one host read per run).
 *
 * @example
 * ```ts
 * const { log10FinalLoss, curve } = await runOptimizer(new Adam({ learningRate: 0.1 }), task, { steps: 100 });
 * ```
 */
export async function runOptimizer(
  optimizer: Optimizer,
  task: Task,
  options: RunOptimizerOptions,
): Promise<OptimizerRun> {
  const { steps } = options;
  const meanLosses: tf.Scalar[] = [];
  const updateSizes: tf.Tensor[] = [];
  let finalLoss: tf.Tensor | undefined;
  let params = task.initialParams();
  const recorded = Math.min(options.recordUpdates ?? 0, task.numInstances * task.numParams);
  const learned = isLearnedOptimizer(optimizer) ? optimizer : undefined;
  let learnedState: LearnedOptimizerState | undefined = learned?.initialState(params.size);
  let state: OptimizerState | undefined = learned ? undefined : optimizer.init(params);
  for (let step = 0; step <= steps; step++) {
    const { loss, gradient } = lossAndGradient(task, params, step);
    meanLosses.push(tf.tidy(() => tf.mean(loss)) as tf.Scalar);
    if (step === steps) {
      finalLoss = loss;
      gradient.dispose();
      break;
    }
    loss.dispose();
    let update: tf.Tensor;
    if (learned) {
      const flat = gradient.reshape([1, -1]) as tf.Tensor2D;
      const out = learned.update(flat, learnedState!, learned.contextForStep(step));
      flat.dispose();
      disposeLearnedState(learnedState!);
      learnedState = out.state;
      update = out.update;
    } else {
      const out = optimizer.step(gradient, state!, step);
      disposeState(state!);
      state = out.state;
      update = out.update;
    }
    if (recorded > 0)
      updateSizes.push(
        tf.tidy(() =>
          tf
            .abs(update.reshape([-1]).slice(0, recorded))
            .log()
            .div(Math.LN10),
        ),
      );
    const next = tf.tidy(() => tf.add(params, update.reshape(params.shape))) as tf.Tensor2D;
    tf.dispose([params, update, gradient]);
    params = next;
  }
  params.dispose();
  if (learnedState) disposeLearnedState(learnedState);
  if (state) disposeState(state);
  const stacked = tf.stack(meanLosses);
  const sizes = updateSizes.length > 0 ? tf.concat(updateSizes) : undefined;
  const [curveValues, finalValues, sizeValues] = await readTensors([
    stacked,
    finalLoss!,
    ...(sizes ? [sizes] : []),
  ]);
  tf.dispose([stacked, finalLoss!, ...meanLosses, ...updateSizes, ...(sizes ? [sizes] : [])]);
  const curve = Array.from(curveValues!);
  const finalLosses = Array.from(finalValues!);
  const log10UpdateSizes = sizeValues;
  const finalLossMean = curve[curve.length - 1]!;
  const threshold = options.threshold;
  const reached = threshold === undefined ? -1 : curve.findIndex((v) => v <= threshold);
  return {
    curve,
    finalLossMean,
    log10FinalLoss: Number.isFinite(finalLossMean) ? Math.log10(finalLossMean) : Infinity,
    stepsToThreshold: reached >= 0 ? reached : null,
    finalLosses,
    ...(log10UpdateSizes && { log10UpdateSizes }),
  };
}
