import { type Rng, stopGradient } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { disposeLstmState, type LstmState } from '../learned/coordinatewise-lstm.js';
import type { LearnedOptimizer, StepContext } from '../learned/learned-optimizer.js';
import { lossAndGradient } from '../tasks/loss-and-gradient.js';
import type { Task } from '../tasks/task.js';

/** An optimizee part-way through its inner run: what one truncation hands to the next. */
export interface InnerRun {
  task: Task;
  /** θ_t `[B, n]`. */
  params: tf.Tensor2D;
  /** The learned optimizer's recurrent state for the B·n coordinates. */
  state: LstmState;
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
    state: optimizer.initialRecurrentState(task.numInstances * task.numParams),
    loss,
    gradient,
    step: 0,
  };
}

/** Disposes the tensors of an inner run (not its task). */
export function disposeInnerRun(run: InnerRun): void {
  tf.dispose([run.params, run.loss, run.gradient]);
  disposeLstmState(run.state);
}

/** Options of {@link metaGradient}. */
export interface MetaGradientOptions {
  /** Inner steps in this truncation. */
  unroll: number;
  /** Weight w_t of f(θ_t) in the meta-loss, t = 1..unroll (default all 1). */
  weights?: number[];
  /**
   * Differentiate through the optimizee's gradients (second order). Only possible where tfjs
   * has second derivatives of every op of the task's loss.
   */
  secondOrder?: boolean;
  /** Noise stream for each inner step (stochastic learned optimizers). */
  noiseFor: (step: number) => Rng;
  /** Meta-training step, for schedules. */
  metaStep: number;
  /**
   * 'two-phase' (default, first order): run the unroll without a tape, then differentiate
   * only the LSTM. 'direct': record the whole unroll on the tape; used for second order and as
   * the reference that tests compare the two-phase gradient with.
   */
  strategy?: 'two-phase' | 'direct';
}

/** Result of {@link metaGradient}. */
export interface MetaGradientResult {
  /** L = Σ_t w_t · mean_b f_b(θ_t) over this truncation (scalar tensor). */
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

function weightAt(options: MetaGradientOptions, t: number): number {
  return options.weights?.[t] ?? 1;
}

function contextAt(options: MetaGradientOptions, step: number): StepContext {
  return { step, rng: options.noiseFor(step), metaStep: options.metaStep };
}

/**
 * One truncation of meta-training by truncated backpropagation through time: unrolls the
 * learned optimizer for `unroll` inner steps from `run` and returns the meta-loss, its
 * gradient with respect to the optimizer's weights, and the advanced inner run.
 *
 * First order (the paper's default) treats the optimizee gradients as constants. Then
 * θ_{t+1} = θ_t + u_t with u_t = LSTM_φ(x_t, s_t) and constant inputs x_t, and
 * ∂L/∂u_t = Σ_{s>t} w_s ∇f(θ_s) / B is known after a tape-free forward pass. The two-phase
 * strategy exploits this: phase 1 runs the unroll without recording anything; phase 2
 * replays only the LSTM on the stored inputs and differentiates Σ_t ⟨u_t, ∂L/∂u_t⟩.
 * The optimizee's loss and gradient are never on the tape.
 */
export function metaGradient(
  optimizer: LearnedOptimizer,
  run: InnerRun,
  options: MetaGradientOptions,
): MetaGradientResult {
  const strategy = options.secondOrder ? 'direct' : (options.strategy ?? 'two-phase');
  return strategy === 'two-phase' ? twoPhase(optimizer, run, options) : direct(optimizer, run, options);
}

function twoPhase(
  optimizer: LearnedOptimizer,
  run: InnerRun,
  options: MetaGradientOptions,
): MetaGradientResult {
  const { task } = run;
  const b = task.numInstances;
  const prepared = optimizer.prepare();
  const records: unknown[] = [];
  const states: LstmState[] = [];
  const gradients: tf.Tensor2D[] = [];
  const losses: tf.Tensor1D[] = [];
  let params = run.params;
  let state = run.state;
  let gradient = run.gradient;
  // Phase 1: the unroll, recording the optimizer's activations; nothing is on a tape.
  for (let t = 0; t < options.unroll; t++) {
    const step = run.step + t;
    const flat = gradient.reshape([1, -1]) as tf.Tensor2D;
    const out = optimizer.forwardStep(prepared, flat, state, contextAt(options, step), records);
    flat.dispose();
    const current = params;
    const nextParams = tf.tidy(() => tf.add(current, out.update.reshape(current.shape))) as tf.Tensor2D;
    out.update.dispose();
    const next = lossAndGradient(task, nextParams, step + 1);
    if (t > 0) params.dispose();
    params = nextParams;
    state = out.state;
    states.push(state);
    gradient = next.gradient;
    losses.push(next.loss);
    gradients.push(next.gradient);
  }
  const metaLoss = tf.tidy(() =>
    tf.addN(losses.map((l, t) => tf.mul(tf.mean(l), weightAt(options, t)))),
  ) as tf.Scalar;
  // ∂L/∂u_t = Σ_{s ≥ t} w_s·∇f(θ_{s+1}) / B, accumulated backwards.
  const dUpdates: tf.Tensor2D[] = new Array(options.unroll);
  let acc: tf.Tensor2D | undefined;
  for (let t = options.unroll - 1; t >= 0; t--) {
    const term = tf.tidy(() =>
      tf.mul(gradients[t]!.reshape([1, -1]), weightAt(options, t) / b),
    ) as tf.Tensor2D;
    acc = acc ? (tf.tidy(() => tf.add(acc!, term)) as tf.Tensor2D) : term;
    if (acc !== term) term.dispose();
    dUpdates[t] = acc;
  }
  // Phase 2: backpropagation through time over the optimizer network alone.
  const grads = optimizer.backward(prepared, records, dUpdates);
  optimizer.disposeRecords(records);
  optimizer.disposePrepared(prepared);
  tf.dispose(dUpdates);
  for (const s of states.slice(0, -1)) disposeLstmState(s);
  tf.dispose(losses.slice(0, -1));
  tf.dispose(gradients.slice(0, -1));
  return {
    metaLoss,
    gradients: grads,
    next: {
      task,
      params,
      state,
      loss: losses[losses.length - 1]!,
      gradient,
      step: run.step + options.unroll,
    },
  };
}

function direct(
  optimizer: LearnedOptimizer,
  run: InnerRun,
  options: MetaGradientOptions,
): MetaGradientResult {
  const { task } = run;
  let final: { params: tf.Tensor2D; state: LstmState; loss: tf.Tensor1D; gradient: tf.Tensor2D } | undefined;
  let metaLossValue: tf.Scalar | undefined;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const prepared = optimizer.prepare();
      let params = run.params;
      let state = run.state;
      let gradient = run.gradient;
      let loss = run.loss;
      const terms: tf.Scalar[] = [];
      for (let t = 0; t < options.unroll; t++) {
        const step = run.step + t;
        const input = (options.secondOrder ? gradient : stopGradient(gradient)).reshape([
          1, -1,
        ]) as tf.Tensor2D;
        const { update, state: nextState } = optimizer.forwardStep(
          prepared,
          input,
          state,
          contextAt(options, step),
        );
        params = tf.add(params, update.reshape(params.shape)) as tf.Tensor2D;
        state = nextState;
        const next = options.secondOrder
          ? task.lossAndGradient
            ? task.lossAndGradient(params, step + 1)
            : nestedLossAndGradient(task, params, step + 1)
          : { loss: task.loss(params, step + 1), gradient: lossAndGradientOffTape(task, params, step + 1) };
        loss = next.loss;
        gradient = next.gradient;
        terms.push(tf.mul(tf.mean(loss), weightAt(options, t)) as tf.Scalar);
      }
      final = {
        params: tf.keep(params.clone()),
        state: {
          h: state.h.map((h) => tf.keep(h.clone())),
          c: state.c.map((c) => tf.keep(c.clone())),
        },
        loss: tf.keep(loss.clone()),
        gradient: tf.keep(gradient.clone()),
      };
      return tf.addN(terms) as tf.Scalar;
    }, optimizer.variables);
    metaLossValue = value;
    return {
      metaLoss: metaLossValue,
      gradients: optimizer.variables.map((v) => grads[v.name]!),
      next: { task, ...final!, step: run.step + options.unroll },
    };
  } catch (error) {
    if (options.secondOrder && !(error instanceof SecondOrderUnsupportedError)) {
      throw new SecondOrderUnsupportedError(error);
    }
    throw error;
  }
}

/** Loss and gradient recorded on the enclosing tape (second order through autodiff). */
function nestedLossAndGradient(task: Task, params: tf.Tensor2D, step: number) {
  let perInstance: tf.Tensor1D | undefined;
  const { grad } = tf.valueAndGrad((p: tf.Tensor) => {
    perInstance = task.loss(p as tf.Tensor2D, step);
    return tf.sum(perInstance);
  })(params);
  return { loss: perInstance!, gradient: grad as tf.Tensor2D };
}

/** ∇f(θ) as a constant: computed on a detached copy of θ, so nothing links it to the tape. */
function lossAndGradientOffTape(task: Task, params: tf.Tensor2D, step: number): tf.Tensor2D {
  const detached = tf.tensor2d(params.dataSync() as Float32Array, params.shape);
  const { loss, gradient } = lossAndGradient(task, detached, step);
  tf.dispose([loss, detached]);
  return gradient;
}
