import { ExponentialDecaySchedule, perturbLogits, Rng, straightThrough } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { OptimizerState } from '../baselines/optimizer.js';
import {
  CoordinatewiseLstm,
  disposeLayerRecords,
  disposePrepared,
  type LayerRecord,
  type LstmState,
  type NamedWeight,
  type PreparedLstm,
  setVariables,
} from './coordinatewise-lstm.js';
import type { LearnedOptimizer, LearnedOptimizerConfig, StepContext } from './learned-optimizer.js';
import { logAndSign } from './preprocess.js';

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

interface PreparedLstmOptimizer {
  lstm: PreparedLstm;
  /** Head weight `[K, H]`, its transpose `[H, K]`, and bias `[K, 1]`. */
  headW: tf.Tensor2D;
  headWT: tf.Tensor2D;
  headB: tf.Tensor2D;
}

interface LstmStepRecord {
  layers: LayerRecord[];
  hidden: tf.Tensor2D;
  /** Discrete variant: the relaxed sample `[N, K]` and the temperature used. */
  soft?: tf.Tensor2D;
  temperature?: number;
}

function toOptimizerState(state: LstmState): OptimizerState {
  const out: OptimizerState = {};
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
  private readonly onesCache = new Map<number, tf.Tensor2D>();
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
    const kernel =
      config.outputInit === 'zeros'
        ? tf.zeros([outputs, hiddenUnits])
        : rng.child('head').normalTensor([outputs, hiddenUnits], 0, 0.01);
    const prefix = this.network.variables[0]!.name.split('/')[0];
    this.headKernel = tf.variable(kernel, true, `${prefix}/head-kernel`);
    const bias = tf.zeros([outputs, 1]);
    this.headBias = tf.variable(bias, true, `${prefix}/head-bias`);
    tf.dispose([kernel, bias]);
    this.variables = [...this.network.variables, this.headKernel, this.headBias];
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

  initialRecurrentState(numCoordinates: number): LstmState {
    return this.network.initialState(numCoordinates);
  }

  private ones(numCoordinates: number): tf.Tensor2D {
    let ones = this.onesCache.get(numCoordinates);
    if (!ones) {
      ones = tf.keep(tf.ones([1, numCoordinates]) as tf.Tensor2D);
      this.onesCache.set(numCoordinates, ones);
    }
    return ones;
  }

  prepare(): PreparedLstmOptimizer {
    return {
      lstm: this.network.prepare(),
      headW: this.headKernel as tf.Tensor2D,
      headWT: tf.transpose(this.headKernel) as tf.Tensor2D,
      headB: this.headBias as tf.Tensor2D,
    };
  }

  forwardStep(
    prepared: unknown,
    gradient: tf.Tensor2D,
    state: LstmState,
    context: StepContext,
    record?: unknown[],
  ): { update: tf.Tensor2D; state: LstmState } {
    const p = prepared as PreparedLstmOptimizer;
    const features = logAndSign(gradient, this.settings.preprocessK);
    const layerRecords: LayerRecord[] | undefined = record ? [] : undefined;
    const { hidden, state: next } = this.network.step(
      p.lstm,
      features,
      state,
      this.ones(gradient.size),
      layerRecords,
    );
    features.dispose();
    const logits = tf.tidy(() => tf.add(tf.matMul(p.headW, hidden), p.headB)) as tf.Tensor2D; // [K, N]
    const scale = this.settings.outputScale;
    if (!this.stepSizes) {
      const update = tf.mul(logits, scale) as tf.Tensor2D;
      logits.dispose();
      record?.push({ layers: layerRecords!, hidden } satisfies LstmStepRecord);
      return { update, state: next };
    }
    const temperature = this.temperatureAt(context.metaStep);
    const stepSizes = this.stepSizes;
    const { update, soft } = tf.tidy(() => {
      const perturbed = perturbLogits(tf.transpose(logits), context.rng); // [N, K]
      const relaxed = tf.softmax(tf.div(perturbed, temperature)) as tf.Tensor2D;
      const hard = tf.oneHot(tf.argMax(perturbed, 1), stepSizes.shape[0]).asType('float32');
      const choice = straightThrough(relaxed, () => hard);
      const step = tf.mul(tf.matMul(choice, stepSizes), scale).reshape([1, -1]) as tf.Tensor2D;
      return { update: step, soft: relaxed };
    });
    logits.dispose();
    if (record) record.push({ layers: layerRecords!, hidden, soft, temperature } satisfies LstmStepRecord);
    else soft.dispose();
    return { update, state: next };
  }

  backward(prepared: unknown, records: unknown[], dUpdates: tf.Tensor2D[]): tf.Tensor[] {
    const p = prepared as PreparedLstmOptimizer;
    const steps = records as LstmStepRecord[];
    const scale = this.settings.outputScale;
    let dKernel = tf.zerosLike(this.headKernel) as tf.Tensor;
    let dBias = tf.zerosLike(this.headBias) as tf.Tensor;
    const dHidden = steps.map((r, t) => {
      const out = tf.tidy(() => {
        const n = r.hidden.shape[1];
        // dLogits as [N, K] (for the head's weight gradient) and [K, N] (for the hidden gradient).
        let dLogitsNK: tf.Tensor2D;
        let dLogitsKN: tf.Tensor2D;
        if (!r.soft) {
          dLogitsKN = tf.mul(dUpdates[t]!, scale) as tf.Tensor2D;
          dLogitsNK = dLogitsKN.reshape([n, 1]);
        } else {
          // update = scale·softᵀ·s in the backward pass; softmax((z + G)/τ) along K.
          // Outer products by broadcasting, not matmuls with an inner dimension of 1.
          const dSoft = tf.mul(tf.mul(dUpdates[t]!, scale).reshape([n, 1]), this.stepSizes!.reshape([1, -1]));
          const inner = tf.sum(tf.mul(r.soft, dSoft), 1, true);
          dLogitsNK = tf.div(tf.mul(r.soft, tf.sub(dSoft, inner)), r.temperature!) as tf.Tensor2D;
          dLogitsKN = tf.transpose(dLogitsNK);
        }
        const dW = tf.transpose(tf.matMul(r.hidden, dLogitsNK));
        const dB = tf.sum(dLogitsNK, 0).reshape([-1, 1]);
        const dH = r.soft ? tf.matMul(p.headWT, dLogitsKN) : tf.mul(p.headWT, dLogitsKN);
        return { dKernel: tf.add(dKernel, dW), dBias: tf.add(dBias, dB), dH: dH as tf.Tensor2D };
      });
      tf.dispose([dKernel, dBias]);
      dKernel = out.dKernel;
      dBias = out.dBias;
      return out.dH;
    });
    const dLstm = this.network.backward(
      p.lstm,
      steps.map((r) => r.layers),
      dHidden,
    );
    tf.dispose(dHidden);
    return [...dLstm, dKernel, dBias];
  }

  disposeRecords(records: unknown[]): void {
    // `hidden` and each layer's previous cell belong to the recurrent states, which the caller owns.
    for (const r of records as LstmStepRecord[]) {
      disposeLayerRecords(r.layers);
      r.soft?.dispose();
    }
  }

  disposePrepared(prepared: unknown): void {
    const p = prepared as PreparedLstmOptimizer;
    disposePrepared(p.lstm);
    p.headWT.dispose();
  }

  contextForStep(step: number): StepContext {
    return { step, rng: this.noise.child(step), metaStep: this.metaStep };
  }

  init(params: tf.Tensor): OptimizerState {
    return toOptimizerState(this.initialRecurrentState(params.size));
  }

  /**
   * Optimizer interface: the update for a gradient of any shape. Weight views are prepared per
   * call; for long loops prefer {@link forwardStep} with one {@link prepare}.
   */
  step(gradient: tf.Tensor, state: OptimizerState, step: number) {
    return tf.tidy(() => {
      const prepared = this.prepare();
      const { update, state: next } = this.forwardStep(
        prepared,
        gradient.reshape([1, -1]) as tf.Tensor2D,
        fromOptimizerState(state, this.settings.layers.length),
        this.contextForStep(step),
      );
      return { update: update.reshape(gradient.shape), state: toOptimizerState(next) };
    });
  }

  weightValues(): NamedWeight[] {
    const plain = (name: string, v: tf.Variable) => ({
      name,
      shape: v.shape,
      values: Float32Array.from(v.dataSync() as Float32Array),
    });
    return [
      ...this.network.weightValues(),
      plain('head-kernel', this.headKernel),
      plain('head-bias', this.headBias),
    ];
  }

  setWeightValues(weights: NamedWeight[]): void {
    setVariables(this.variables, [...this.network.weightNames, 'head-kernel', 'head-bias'], weights);
  }

  dispose(): void {
    this.network.dispose();
    tf.dispose([this.headKernel, this.headBias]);
    this.stepSizes?.dispose();
    for (const ones of this.onesCache.values()) ones.dispose();
    this.onesCache.clear();
  }
}
