import { CheckpointError, type NamedValues, offTape, type Rng, readScalars, valuesOf } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import {
  disposeLearnedState,
  type LearnedOptimizer,
  type LearnedOptimizerState,
  type StepContext,
} from '../learned/learned-optimizer.js';
import { lossAndGradient } from '../tasks/loss-and-gradient.js';
import type { LossAndGradient, Task } from '../tasks/task.js';

/** An optimizee part-way through its inner run: what one truncation hands to the next. */
export interface InnerRun {
  task: Task;
  /** θ_t `[B, n]`. */
  params: tf.Tensor2D;
  /** The learned optimizer's state for the B·n coordinates (opaque). */
  state: LearnedOptimizerState;
  /** f(θ_t) `[B]` and ∇f(θ_t) `[B, n]`. */
  loss: tf.Tensor1D;
  gradient: tf.Tensor2D;
  /** t: inner steps taken so far. */
  step: number;
}

/** Starts an inner run at the task's initial parameters. */
export function startInnerRun(task: Task, optimizer: LearnedOptimizer): InnerRun {
  const params = task.initialParams();
  const { loss, gradient } = lossAndGradient(task, params, 0);
  return {
    task,
    params,
    state: optimizer.initialState(task.numInstances * task.numParams),
    loss,
    gradient,
    step: 0,
  };
}

/**
 * An inner run as plain named values (`params`, `state/<name>`), for checkpoints: its loss and
 * gradient are not stored, since {@link innerRunFromValues} recomputes them exactly.
 */
export function innerRunValues(run: InnerRun): Promise<NamedValues[]> {
  const names = Object.keys(run.state);
  return valuesOf(
    [run.params, ...names.map((n) => run.state[n]!)],
    ['params', ...names.map((n) => `state/${n}`)],
  );
}

/** Rebuilds an inner run of `task` at inner step `step` from {@link innerRunValues}. */
export function innerRunFromValues(task: Task, values: NamedValues[], step: number): InnerRun {
  const params = values.find((v) => v.name === 'params');
  if (!params) throw new CheckpointError('checkpoint', 'no inner-run parameters');
  const paramsTensor = tf.tensor2d(params.values, params.shape as [number, number]);
  const state = Object.fromEntries(
    values
      .filter((v) => v.name.startsWith('state/'))
      .map((v) => [v.name.slice('state/'.length), tf.tensor2d(v.values, v.shape as [number, number])]),
  );
  const { loss, gradient } = lossAndGradient(task, paramsTensor, step);
  return { task, params: paramsTensor, state, loss, gradient, step };
}

/** Disposes the tensors of an inner run (not its task). */
export function disposeInnerRun(run: InnerRun): void {
  tf.dispose([run.params, run.loss, run.gradient]);
  disposeLearnedState(run.state);
}

/**
 * What each inner step contributes to the meta-loss: `loss`, the instances' mean loss (the paper's
 * Σ_t w_t f(θ_t)), or `log-loss`, the instances' mean log loss. Log loss weighs a halving of the
 * loss the same early and late in the run, as log-scale evaluation does; plain loss is dominated by
 * the first steps, where the loss is largest.
 */
export type MetaObjective = 'loss' | 'log-loss';

/** The meta-objectives, for schemas and help. */
export const META_OBJECTIVES = ['loss', 'log-loss'] as const satisfies readonly MetaObjective[];

/** Options of {@link metaGradient}. */
export interface MetaGradientOptions {
  /** Inner steps in this truncation. */
  unroll: number;
  /** Weight w_t of f(θ_t) in the meta-loss, t = 1..unroll (default all 1). */
  weights?: number[];
  /** What each step contributes (default `loss`). */
  objective?: MetaObjective;
  /**
   * Differentiate through the optimizee's gradients (second order). Only possible where tfjs
   * has second derivatives of every op of the task's loss.
   */
  secondOrder?: boolean;
  /** Noise stream for each inner step (stochastic learned optimizers). */
  noiseFor: (step: number) => Rng;
  /** Meta-training step, for schedules. */
  metaStep: number;
  /** Set on a gradient worker: its coordinates' place in the whole batch (see {@link StepContext}). */
  coordinates?: { start: number; total: number };
  /**
   * First order only. 'linearized' (default): each f(θ_t) enters the tape as its value with the
   * constant gradient ∇f(θ_t) the inner loop computed anyway, so only the learned optimizer is
   * differentiated. 'direct': f(θ_t) is recorded and differentiated by tfjs; the reference that
   * tests compare 'linearized' with.
   */
  strategy?: 'linearized' | 'direct';
}

/** Result of {@link metaGradient}. */
export interface MetaGradientResult {
  /** L = Σ_t w_t · mean_b f_b(θ_t) over this truncation, or of log f_b with `log-loss` (scalar tensor). */
  metaLoss: tf.Scalar;
  /** ∂L/∂φ, aligned with `optimizer.variables`. */
  gradients: tf.Tensor[];
  /** The inner run after this truncation. */
  next: InnerRun;
}

/** Thrown when second-order meta-gradients hit an op that tfjs cannot differentiate twice. */
export class SecondOrderUnsupportedError extends Error {
  constructor(cause: unknown) {
    super(
      'second-order meta-gradients failed: tfjs has no second derivative for an op in this task ' +
        `(exp, sigmoid, tanh, softmax and logSoftmax save outputs; tensorflow/tfjs#3252): ${(cause as Error).message}. ` +
        'Use first-order meta-gradients (the default).',
    );
    this.name = 'SecondOrderUnsupportedError';
  }
}

/** Step t's term of the meta-loss: w_t times the instances' mean (log) loss. */
function metaLossTerm(
  loss: tf.Tensor1D,
  options: Pick<MetaGradientOptions, 'weights' | 'objective'>,
  t: number,
) {
  const perInstance = options.objective === 'log-loss' ? tf.log(loss) : loss;
  return tf.mul(tf.mean(perInstance), options.weights?.[t] ?? 1) as tf.Scalar;
}

function contextAt(options: MetaGradientOptions, step: number): StepContext {
  return {
    step,
    rng: options.noiseFor(step),
    metaStep: options.metaStep,
    ...(options.coordinates ? { coordinates: options.coordinates } : {}),
  };
}

/** How the loss at θ_{t+1} enters the tape, and the gradient the next step feeds the optimizer. */
type NextLoss = (task: Task, params: tf.Tensor2D, step: number) => LossAndGradient;

/**
 * One truncation of meta-training by truncated backpropagation through time: unrolls the
 * learned optimizer for `unroll` inner steps from `run` under `tf.variableGrads` and returns the
 * meta-loss, its gradient with respect to the optimizer's weights, and the advanced inner run.
 *
 * First order (the paper's default) treats the optimizee gradients as constants, so
 * ∂L/∂u_t = Σ_{s≥t} w_s ∇f(θ_{s+1}) / B; the tape then holds the optimizer's steps (one fused op
 * each), the parameter updates and the linearized losses, and tfjs's backward pass is the
 * backpropagation through time of the learned optimizer alone.
 */
export function metaGradient(
  optimizer: LearnedOptimizer,
  run: InnerRun,
  options: MetaGradientOptions,
): MetaGradientResult {
  if (options.secondOrder) {
    try {
      return unroll(optimizer, run, options, secondOrderLoss);
    } catch (error) {
      if (error instanceof SecondOrderUnsupportedError) throw error;
      throw new SecondOrderUnsupportedError(error);
    }
  }
  return unroll(optimizer, run, options, options.strategy === 'direct' ? recordedLoss : linearizedLoss);
}

/** Where an inner run stands: θ_t, the optimizer's state, and the loss and gradient at θ_t. */
type InnerPosition = Omit<InnerRun, 'task' | 'step'>;

/**
 * One inner step of the learned optimizer from `from` at inner step `step`: θ_{t+1} = θ_t + u_t,
 * then the loss and gradient at θ_{t+1} as `nextLoss` puts them on the tape (or not).
 */
function innerStep(
  optimizer: LearnedOptimizer,
  task: Task,
  from: InnerPosition,
  options: Omit<MetaGradientOptions, 'secondOrder' | 'strategy'>,
  step: number,
  nextLoss: NextLoss,
): InnerPosition {
  const out = optimizer.update(from.gradient.reshape([1, -1]), from.state, contextAt(options, step));
  const params = tf.add(from.params, out.update.reshape(from.params.shape)) as tf.Tensor2D;
  const { loss, gradient } = nextLoss(task, params, step + 1);
  return { params, state: out.state, loss, gradient };
}

function unroll(
  optimizer: LearnedOptimizer,
  run: InnerRun,
  options: MetaGradientOptions,
  nextLoss: NextLoss,
): MetaGradientResult {
  const { task } = run;
  let final: InnerPosition | undefined;
  const { value, grads } = tf.variableGrads(() => {
    let position: InnerPosition = run;
    const terms: tf.Scalar[] = [];
    for (let t = 0; t < options.unroll; t++) {
      position = innerStep(optimizer, task, position, options, run.step + t, nextLoss);
      terms.push(metaLossTerm(position.loss, options, t));
    }
    final = {
      params: tf.keep(position.params.clone()),
      state: Object.fromEntries(
        Object.entries(position.state).map(([name, t]) => [name, tf.keep(t.clone())]),
      ),
      loss: tf.keep(position.loss.clone()),
      gradient: tf.keep(position.gradient.clone()),
    };
    return tf.addN(terms) as tf.Scalar;
  }, optimizer.variables);
  return {
    metaLoss: value,
    gradients: optimizer.variables.map((v) => grads[v.name]!),
    next: { task, ...final!, step: run.step + options.unroll },
  };
}

/**
 * The truncation's meta-loss L = Σ_t w_t · mean_b f_b(θ_t) and the advanced inner run, without a
 * tape: what evolution-strategies estimators evaluate at perturbed weights.
 */
export async function unrollForward(
  optimizer: LearnedOptimizer,
  run: InnerRun,
  options: Omit<MetaGradientOptions, 'secondOrder' | 'strategy'>,
): Promise<{ metaLoss: number; next: InnerRun }> {
  let position: InnerPosition = run;
  const terms: tf.Scalar[] = [];
  for (let t = 0; t < options.unroll; t++) {
    // No tape: each step keeps only the new position, and the run's own starting tensors stay.
    const next = tf.tidy(() =>
      innerStep(optimizer, run.task, position, options, run.step + t, lossAndGradient),
    );
    if (t > 0)
      tf.dispose([position.params, position.loss, position.gradient, ...Object.values(position.state)]);
    position = next;
    terms.push(tf.tidy(() => metaLossTerm(position.loss, options, t)));
  }
  const total = tf.addN(terms);
  const metaLoss = (await readScalars([total]))[0]!;
  tf.dispose([total, ...terms]);
  return { metaLoss, next: { task: run.task, ...position, step: run.step + options.unroll } };
}

/**
 * f(θ) with the constant gradient ∇f(θ): the loss is computed on a detached copy of θ (nothing of
 * the task reaches the tape) and enters the tape through a custom gradient that returns ∇f.
 */
const linearizedLoss: NextLoss = (task, params, step) => {
  // Constants of the meta-gradient, computed off the tape: it keeps no copies of their inputs.
  const { loss, gradient } = offTape(() => lossAndGradient(task, detach(params), step));
  const linearized = tf.customGrad((_params, save) => {
    // Saved, not captured: the forward pass's tidy disposes what the backward pass has not saved.
    (save as tf.GradSaveFunc)([gradient]);
    return {
      value: tf.clone(loss),
      gradFunc: (dy, saved) => tf.mul(tf.reshape(dy as tf.Tensor, [-1, 1]), saved[0]!),
    };
  })(params) as tf.Tensor1D;
  return { loss: linearized, gradient };
};

/** f(θ) recorded on the tape and differentiated by tfjs; ∇f(θ) as a constant (first order). */
const recordedLoss: NextLoss = (task, params, step) => {
  const detached = offTape(() => lossAndGradient(task, detach(params), step));
  detached.loss.dispose();
  return { loss: task.loss(params, step), gradient: detached.gradient };
};

/** Loss and gradient both recorded on the enclosing tape (second order through autodiff). */
const secondOrderLoss: NextLoss = (task, params, step) => {
  if (task.lossAndGradient) return task.lossAndGradient(params, step);
  let perInstance: tf.Tensor1D | undefined;
  const { grad } = tf.valueAndGrad((p: tf.Tensor) => {
    perInstance = task.loss(p as tf.Tensor2D, step);
    return tf.sum(perInstance);
  })(params);
  return { loss: perInstance!, gradient: grad as tf.Tensor2D };
};

/**
 * `x` as a new tensor that no tape links to anything. It shares `x`'s data (no copy, no read): the
 * engine makes a tensor from the same data id outside any kernel, so no tape records it.
 */
function detach(x: tf.Tensor2D): tf.Tensor2D {
  const engine = tf.engine();
  const detached = engine.makeTensorFromDataId(x.dataId, x.shape, x.dtype) as tf.Tensor2D;
  engine.backend.incRef(x.dataId);
  return detached;
}
