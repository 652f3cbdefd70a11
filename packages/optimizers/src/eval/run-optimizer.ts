import * as tf from '@tensorflow/tfjs';
import { disposeState, type Optimizer, type OptimizerState } from '../baselines/optimizer.js';
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
}

/** Options of {@link runOptimizer}. */
export interface RunOptimizerOptions {
  steps: number;
  /** Loss threshold for `stepsToThreshold`. */
  threshold?: number;
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
 * const { log10FinalLoss, curve } = runOptimizer(new Adam({ learningRate: 0.1 }), task, { steps: 100 });
 * ```
 */
export function runOptimizer(optimizer: Optimizer, task: Task, options: RunOptimizerOptions): OptimizerRun {
  const { steps } = options;
  const meanLosses: tf.Scalar[] = [];
  let params = task.initialParams();
  const learned = isLearnedOptimizer(optimizer) ? optimizer : undefined;
  let learnedState: LearnedOptimizerState | undefined = learned?.initialState(params.size);
  let state: OptimizerState | undefined = learned ? undefined : optimizer.init(params);
  for (let step = 0; step <= steps; step++) {
    const { loss, gradient } = lossAndGradient(task, params, step);
    meanLosses.push(tf.tidy(() => tf.mean(loss)) as tf.Scalar);
    loss.dispose();
    if (step === steps) {
      gradient.dispose();
      break;
    }
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
    const next = tf.tidy(() => tf.add(params, update.reshape(params.shape))) as tf.Tensor2D;
    tf.dispose([params, update, gradient]);
    params = next;
  }
  params.dispose();
  if (learnedState) disposeLearnedState(learnedState);
  if (state) disposeState(state);
  const stacked = tf.stack(meanLosses);
  const curve = Array.from(stacked.dataSync());
  tf.dispose([stacked, ...meanLosses]);
  const finalLossMean = curve[curve.length - 1]!;
  const threshold = options.threshold;
  const reached = threshold === undefined ? -1 : curve.findIndex((v) => v <= threshold);
  return {
    curve,
    finalLossMean,
    log10FinalLoss: Number.isFinite(finalLossMean) ? Math.log10(finalLossMean) : Infinity,
    stepsToThreshold: reached >= 0 ? reached : null,
  };
}
