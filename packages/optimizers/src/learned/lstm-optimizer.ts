import {
  ExponentialDecaySchedule,
  initializers,
  type KernelChoice,
  Rng,
  sampleGumbel,
  straightThrough,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { OptimizerState } from '../hand-designed/optimizer.js';
import { lstmOptimizerStep } from '../ops/lstm-optimizer-step.js';
import { CoordinatewiseLstm, type LstmState, type NamedWeight } from './coordinatewise-lstm.js';
import type {
  LearnedOptimizer,
  LearnedOptimizerConfig,
  LearnedOptimizerState,
  StepContext,
} from './learned-optimizer.js';

/** Defaults of the paper's coordinatewise deep LSTM optimizer (2 × 20 units, LogAndSign k = 10). */
export const DEFAULT_LSTM_CONFIG: LearnedOptimizerConfig = {
  kind: 'lstm',
  layers: [20, 20],
  preprocessK: 10,
  outputScale: 0.1,
  outputInit: 'small',
};

/** Defaults of the discrete-choice variant: signed step sizes chosen by straight-through Gumbel-softmax. */
export const DEFAULT_DISCRETE_CONFIG: LearnedOptimizerConfig = {
  kind: 'discrete-lstm',
  layers: [20, 20],
  preprocessK: 10,
  outputScale: 1,
  outputInit: 'small',
  stepSizes: [-1, -0.3, -0.1, -0.03, -0.01, -0.003, 0, 0.003, 0.01, 0.03, 0.1, 0.3, 1],
  temperature: { initial: 1, min: 0.3, rate: 1e-3, every: 10 },
};

function toOptimizerState(state: LstmState): LearnedOptimizerState {
  const out: LearnedOptimizerState = {};
  state.h.forEach((h, i) => {
    out[`h${i}`] = h;
    out[`c${i}`] = state.c[i]!;
  });
  return out;
}

function fromOptimizerState(state: OptimizerState, layers: number): LstmState {
  return {
    h: Array.from({ length: layers }, (_, i) => state[`h${i}`] as tf.Tensor2D),
    c: Array.from({ length: layers }, (_, i) => state[`c${i}`] as tf.Tensor2D),
  };
}

/**
 * The coordinatewise deep LSTM optimizer of Andrychowicz et al. (2016): LogAndSign features of
 * each gradient coordinate go through a stack of LSTM layers (weights shared by all
 * coordinates) whose linear head, times `outputScale`, is the update.
 *
 * With kind `discrete-lstm`, the head gives logits over `stepSizes` instead, and the step is
 * chosen by @metagrad/core's straight-through Gumbel-softmax under an exponentially decaying
 * temperature: the forward pass takes an exact categorical choice, the backward pass the
 * relaxed gradient.
 *
 * @example
 * ```ts
 * const opt = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng(0));
 * let state = opt.init(params);
 * const { update, state: next } = opt.step(gradient, state, 0);
 * // Meta-training differentiates `opt.update` under tf.variableGrads.
 * ```
 */
export class LstmOptimizer implements LearnedOptimizer {
  readonly name: string;
  readonly network: CoordinatewiseLstm;
  /** Output layer: kernel `[K, H]` and bias `[K, 1]`. */
  readonly headKernel: tf.Variable;
  readonly headBias: tf.Variable;
  readonly variables: tf.Variable[];
  private readonly settings: LearnedOptimizerConfig;
  private readonly stepSizes: tf.Tensor2D | undefined;
  private readonly schedule: ExponentialDecaySchedule | undefined;
  /** Implementation of the step op: the fused SIMD kernel or the composite of tfjs ops (see {@link KernelChoice}). */
  kernels: KernelChoice = 'auto';
  /** Noise stream for the discrete variant outside meta-training (evaluation, drop-in); reassign to reseed. */
  noise: Rng;
  /** Meta-step whose temperature `step` uses (default: the end of the schedule). */
  metaStep = Number.MAX_SAFE_INTEGER;

  constructor(config: LearnedOptimizerConfig, rng: Rng) {
    this.settings = structuredClone(config);
    this.name = config.kind === 'lstm' ? 'l2l-lstm' : 'l2l-discrete';
    let outputs = 1;
    if (config.kind === 'discrete-lstm') {
      if (!config.stepSizes || config.stepSizes.length < 2)
        throw new RangeError('discrete-lstm needs >= 2 stepSizes');
      if (!config.temperature) throw new RangeError('discrete-lstm needs a temperature schedule');
      outputs = config.stepSizes.length;
      this.stepSizes = tf.tensor2d(config.stepSizes, [outputs, 1]);
      this.schedule = new ExponentialDecaySchedule(config.temperature);
    }
    this.network = new CoordinatewiseLstm({ inputSize: 2, layers: config.layers }, rng.child('weights'));
    const hiddenUnits = this.network.outputUnits;
    const { params } = this.network;
    this.headKernel = params.add(
      'head-kernel',
      config.outputInit === 'zeros'
        ? initializers.zeros([outputs, hiddenUnits])
        : initializers.normal([outputs, hiddenUnits], rng.child('head'), 0.01),
    );
    this.headBias = params.add('head-bias', initializers.zeros([outputs, 1]));
    this.variables = params.variables;
    // Fixed, not drawn from `rng`: a saved and reloaded optimizer makes the same choices.
    this.noise = new Rng('l2l-noise');
  }

  config(): LearnedOptimizerConfig {
    return structuredClone(this.settings);
  }

  describe() {
    return { name: this.name, ...this.settings };
  }

  /** τ at a meta-training step (discrete variant; 1 otherwise). */
  temperatureAt(metaStep: number): number {
    return this.schedule?.value(metaStep) ?? 1;
  }

  initialState(numCoordinates: number): LearnedOptimizerState {
    return toOptimizerState(this.network.initialState(numCoordinates));
  }

  update(
    gradient: tf.Tensor2D,
    state: LearnedOptimizerState,
    context: StepContext,
  ): { update: tf.Tensor2D; state: LearnedOptimizerState } {
    return tf.tidy(() => {
      const { output, state: lstmNext } = lstmOptimizerStep(
        gradient,
        fromOptimizerState(state, this.settings.layers.length),
        {
          kernels: this.network.variables as tf.Tensor2D[],
          headW: this.headKernel as tf.Tensor2D,
          headB: this.headBias as tf.Tensor2D,
        },
        this.settings.preprocessK,
        this.kernels,
      );
      const next = toOptimizerState(lstmNext);
      const scale = this.settings.outputScale;
      if (!this.stepSizes) return { update: tf.mul(output, scale) as tf.Tensor2D, state: next };
      // Straight-through Gumbel-softmax over the step sizes: exact choice forward, relaxed gradient.
      const temperature = this.temperatureAt(context.metaStep);
      const [k, n] = output.shape;
      const range = context.coordinates ?? { start: 0, total: n };
      const noise = sampleGumbel([range.total, k], context.rng);
      const perturbed = tf.add(tf.transpose(output), tf.slice(noise, [range.start, 0], [n, k])); // [N, K]
      const relaxed = tf.softmax(tf.div(perturbed, temperature));
      const hard = tf.oneHot(tf.argMax(perturbed, 1), this.stepSizes.shape[0]).asType('float32');
      const choice = straightThrough(relaxed, () => hard);
      const update = tf.mul(tf.matMul(choice, this.stepSizes), scale).reshape([1, -1]) as tf.Tensor2D;
      return { update, state: next };
    });
  }

  contextForStep(step: number): StepContext {
    return { step, rng: this.noise.child(step), metaStep: this.metaStep };
  }

  init(params: tf.Tensor): OptimizerState {
    return this.initialState(params.size);
  }

  /** Optimizer interface: the update for a gradient of any shape. */
  step(gradient: tf.Tensor, state: OptimizerState, step: number) {
    return tf.tidy(() => {
      const { update, state: next } = this.update(
        gradient.reshape([1, -1]) as tf.Tensor2D,
        state as LearnedOptimizerState,
        this.contextForStep(step),
      );
      return { update: update.reshape(gradient.shape), state: next };
    });
  }

  weightNames(): string[] {
    return [...this.network.params.names];
  }

  weightValues(): Promise<NamedWeight[]> {
    return this.network.params.values();
  }

  setWeightValues(weights: NamedWeight[]): void {
    this.network.params.assign(weights);
  }

  dispose(): void {
    this.network.dispose();
    this.stepSizes?.dispose();
  }
}
