import {
  initializers,
  type KernelChoice,
  matMulPlainGrad,
  type NamedValues,
  ParameterStore,
  type Rng,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { type GruWeights, gruSequence, LAYER_NORM_GAINS, type LayerNormGains } from '../ops/gru-sequence.js';
import {
  addSlotMemoryWeights,
  type SlotMemoryShape,
  slotMemoryReadoutSize,
  slotMemorySequence,
  slotMemoryStateSize,
  slotMemoryStep,
} from './slot-memory.js';

/** Sizes of a {@link GruPolicy}. */
export interface GruPolicyShape {
  inputSize: number;
  hidden: number;
  actions: number;
  /**
   * Units of a ReLU layer φ between the RL² input and the GRU (the paper's input embedding); 0 or
   * absent feeds the input to the GRU directly. A hidden layer can form conjunctions such as
   * "previous action k and a high reward", which the GRU's additive gates cannot.
   */
  embedding?: number;
  /** The recurrent cell; default `gru`. See {@link GruCell}. */
  cell?: GruCell;
  /**
   * An addressable memory beside the GRU, read by the heads (see {@link slotMemorySequence});
   * absent: none, and the heads read the GRU's state alone.
   */
  memory?: SlotMemoryShape;
}

/** The recurrent cells a {@link GruPolicy} can have. */
export const GRU_CELLS = ['gru', 'layer-norm-relu'] as const;

/**
 * `gru`: the standard GRU (tanh candidate), with a fused kernel. `layer-norm-relu`: the cell of the
 * RL² references, layer-normalised products with learned gains and a ReLU candidate (composite tfjs
 * ops only; see {@link gruSequence}).
 */
export type GruCell = (typeof GRU_CELLS)[number];

/** How a {@link GruPolicy} initialises its weights. */
export interface GruInit {
  /**
   * Update-gate bias: `zero` (z ≈ ½ at the start, so memory halves every step), or `chrono`
   * (Tallec & Ollivier 2018): b_z = −log u with u ~ U[1, maxTimescale − 1], so that units start
   * out keeping memory over 2…maxTimescale steps, as an RL² trial needs.
   */
  updateGateBias: 'zero' | 'chrono';
  /** The longest timescale for `chrono`: the trial length in steps. */
  maxTimescale?: number;
}

/**
 * What a policy's heads read, as blocks of columns side by side: the GRU's states, then with a
 * memory its reads' means and counts (see {@link GruPolicy.features}).
 */
export type PolicyFeatures = tf.Tensor2D[];

/** Output of one policy step. */
export interface PolicyStep {
  /** What the next step starts from: the GRU's state, then the memory's when there is one. */
  hidden: tf.Tensor2D;
  logits: tf.Tensor2D;
  value: tf.Tensor1D;
}

/** x·W; under a gradient tape with a wasm-friendly gradient, otherwise the bare kernel. */
function matMul(x: tf.Tensor2D, w: tf.Tensor, differentiable: boolean): tf.Tensor2D {
  return differentiable ? matMulPlainGrad(x, w as tf.Tensor2D) : tf.matMul(x, w as tf.Tensor2D);
}

/** Chrono update-gate biases −log u, u ~ U[1, maxTimescale − 1]: z = σ(b) ≈ 1/(1 + u). */
function chronoBias(units: number, maxTimescale: number | undefined, rng: Rng): tf.Tensor1D {
  if (maxTimescale === undefined || !(maxTimescale > 2))
    throw new Error(`GruPolicy: chrono initialisation needs maxTimescale > 2, got ${maxTimescale}`);
  const u = rng.uniformArray(units);
  return tf.tensor1d(u.map((v) => -Math.log(1 + v * (maxTimescale - 2))));
}

/**
 * The RL² network: a GRU whose hidden state carries what the agent has learned about the current
 * task, optionally beside an addressable memory of the trial ({@link GruPolicyShape.memory}), with
 * a policy head (action logits) and a value head. Inputs and states are `[batch, features]`. The
 * recurrence is the op {@link gruSequence} (a fused SIMD kernel or its composite reference, per
 * {@link kernels}); the memory and the heads are plain tfjs ops and the batched GEMM.
 */
export class GruPolicy {
  readonly shape: GruPolicyShape;
  /** The weights by name (`Wz`, `Uz`, `bz`, … `policyW`, `valueB`), with their initialisers. */
  readonly params = new ParameterStore('gru-policy');
  /** Implementation of the GRU op: the fused SIMD kernel or the composite of tfjs ops (see {@link KernelChoice}). */
  kernels: KernelChoice = 'auto';

  /** Trainable variables, in order. */
  get variables(): tf.Variable[] {
    return this.params.variables;
  }

  /** Logical names of {@link variables}. */
  get weightNames(): string[] {
    return this.params.names;
  }

  /** Weights by name, for hand-written gradients. */
  get weights(): Readonly<Record<string, tf.Variable>> {
    return Object.fromEntries(this.params.names.map((name, i) => [name, this.params.variables[i]!]));
  }

  constructor(shape: GruPolicyShape, rng: Rng, init: GruInit = { updateGateBias: 'zero' }) {
    this.shape = shape;
    const { inputSize, hidden: h, actions: a } = shape;
    const embedding = shape.embedding ?? 0;
    if (!Number.isInteger(embedding) || embedding < 0)
      throw new Error(`GruPolicy: embedding must be a non-negative integer, got ${embedding}`);
    // The GRU's input width.
    const i = embedding > 0 ? embedding : inputSize;
    const { glorotUniform, zeros } = initializers;
    const add = (name: string, value: tf.Tensor) => this.params.add(name, value);
    if (embedding > 0) {
      // Glorot × √2: a ReLU halves its inputs' variance.
      add('embedW', glorotUniform([inputSize, embedding], rng.child('embedW'), Math.SQRT2));
      add('embedB', zeros([embedding]));
    }
    for (const gate of ['z', 'r', 'n']) {
      add(`W${gate}`, glorotUniform([i, h], rng.child(`W${gate}`)));
      add(`U${gate}`, glorotUniform([h, h], rng.child(`U${gate}`)));
      const chrono = gate === 'z' && init.updateGateBias === 'chrono';
      add(`b${gate}`, chrono ? chronoBias(h, init.maxTimescale, rng.child('bz')) : zeros([h]));
    }
    if (shape.cell === 'layer-norm-relu') for (const gain of LAYER_NORM_GAINS) add(gain, tf.ones([h]));
    if (shape.memory) addSlotMemoryWeights(this.params, inputSize, shape.memory, rng.child('memory'));
    const f = this.featureSize;
    add('policyW', glorotUniform([f, a], rng.child('policyW'), 0.1));
    add('policyB', zeros([a]));
    add('valueW', glorotUniform([f, 1], rng.child('valueW'), 0.1));
    add('valueB', zeros([1]));
  }

  /** Width of the state carried from step to step: the GRU's units and the memory's floats. */
  get stateSize(): number {
    const { hidden, memory } = this.shape;
    return hidden + (memory ? slotMemoryStateSize(memory) : 0);
  }

  /** Width of what the heads read: the GRU's units and the memory's reads. */
  get featureSize(): number {
    const { hidden, memory } = this.shape;
    return hidden + (memory ? slotMemoryReadoutSize(memory) : 0);
  }

  /** Zero state for `batch` trials ({@link stateSize} wide): a trial starts with no memory. */
  initialState(batch: number): tf.Tensor2D {
    return tf.zeros([batch, this.stateSize]);
  }

  /** The GRU's weights (and the embedding's), as the op takes them. */
  gruWeights(): GruWeights {
    const w = this.weights;
    return {
      Wz: w.Wz as tf.Tensor2D,
      Uz: w.Uz as tf.Tensor2D,
      bz: w.bz as tf.Tensor1D,
      Wr: w.Wr as tf.Tensor2D,
      Ur: w.Ur as tf.Tensor2D,
      br: w.br as tf.Tensor1D,
      Wn: w.Wn as tf.Tensor2D,
      Un: w.Un as tf.Tensor2D,
      bn: w.bn as tf.Tensor1D,
      ...(w.embedW ? { embedW: w.embedW as tf.Tensor2D, embedB: w.embedB as tf.Tensor1D } : {}),
      ...(w.gxz && {
        layerNorm: Object.fromEntries(
          LAYER_NORM_GAINS.map((gain) => [gain, w[gain]]),
        ) as unknown as LayerNormGains,
      }),
    };
  }

  /**
   * Hidden states `[T, B, H]` over whole sequences of inputs `[T, B, I]`, from `h0` (default: zero,
   * a trial starts with no memory). Differentiable in the weights (backpropagation through time).
   */
  sequence(inputs: tf.Tensor3D, h0?: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() =>
      gruSequence(
        inputs,
        h0 ?? tf.zeros([inputs.shape[1], this.shape.hidden]),
        this.gruWeights(),
        this.kernels,
      ),
    );
  }

  /**
   * What the heads read over whole trials of inputs `[T, B, I]`, from a zero state, as blocks of
   * time-major rows `[T · B, …]`: the GRU's states, then with a memory its reads' means and counts
   * (blocks, not one tensor: joining them costs a copy forward and another backward).
   * Differentiable in the weights (backpropagation through time).
   */
  features(inputs: tf.Tensor3D): PolicyFeatures {
    return tf.tidy(() => {
      const [steps, batch] = inputs.shape;
      const hidden = tf.reshape(this.sequence(inputs), [steps * batch, this.shape.hidden]) as tf.Tensor2D;
      const { memory } = this.shape;
      if (!memory) return [hidden];
      const { means, seen } = slotMemorySequence(inputs, this.params, memory);
      return [hidden, means, seen];
    });
  }

  /**
   * One step: inputs `[B, I]`, state `[B, stateSize]` → next state, logits `[B, A]`, value `[B]`.
   * Pass `differentiable = false` where no gradient tape is recording (rollouts): the heads then
   * skip the custom-gradient wrapper's overhead.
   */
  step(input: tf.Tensor2D, state: tf.Tensor2D, differentiable = true): PolicyStep {
    return tf.tidy(() => {
      const [batch, inputSize] = input.shape;
      const { hidden: units, memory } = this.shape;
      const gruState = memory ? tf.slice(state, [0, 0], [batch, units]) : state;
      const next = tf.reshape(this.sequence(tf.reshape(input, [1, batch, inputSize]), gruState), [
        batch,
        units,
      ]) as tf.Tensor2D;
      let features: PolicyFeatures = [next];
      let carried = next;
      if (memory) {
        const stored = tf.slice(state, [0, units], [batch, slotMemoryStateSize(memory)]);
        const written = slotMemoryStep(input, stored, this.params, memory);
        features = [next, written.reads.means, written.reads.seen];
        carried = tf.concat([next, written.memory], 1);
      }
      return {
        hidden: carried,
        logits: this.policyHead(features, differentiable),
        value: this.valueHead(features, differentiable),
      };
    });
  }

  /**
   * Runs the GRU from a zero state over whole trials, one `[B, I]` input per step → per-step logits
   * `[B, A]` and values `[B]`; differentiable in the weights (backpropagation through time).
   */
  unroll(inputs: tf.Tensor2D[]): { logits: tf.Tensor2D[]; values: tf.Tensor1D[] } {
    let hidden = this.initialState(inputs[0]?.shape[0] ?? 0);
    const logits: tf.Tensor2D[] = [];
    const values: tf.Tensor1D[] = [];
    for (const input of inputs) {
      const out = this.step(input, hidden);
      hidden = out.hidden;
      logits.push(out.logits);
      values.push(out.value);
    }
    return { logits, values };
  }

  /** Action logits `[B, A]` from features (see {@link GruPolicy.features}; one `[B, featureSize]` tensor also does). */
  policyHead(features: tf.Tensor2D | PolicyFeatures, differentiable = true): tf.Tensor2D {
    return this.head(features, 'policy', differentiable);
  }

  /** State values `[B]` from features (see {@link GruPolicy.features}; one `[B, featureSize]` tensor also does). */
  valueHead(features: tf.Tensor2D | PolicyFeatures, differentiable = true): tf.Tensor1D {
    return tf.reshape(this.head(features, 'value', differentiable), [-1]);
  }

  /** Σ blockᵢ · Wᵢ + b, Wᵢ the rows of the head's weight that block i's columns meet. */
  private head(features: tf.Tensor2D | PolicyFeatures, name: string, differentiable: boolean): tf.Tensor2D {
    const weight = this.params.get(`${name}W`);
    const bias = this.params.get(`${name}B`);
    const blocks = Array.isArray(features) ? features : [features];
    if (blocks.length === 1) return tf.add(matMul(blocks[0]!, weight, differentiable), bias);
    return tf.tidy(() => {
      let row = 0;
      const products = blocks.map((block) => {
        const rows = block.shape[1];
        const part = tf.slice(weight, [row, 0], [rows, weight.shape[1]!]);
        row += rows;
        return matMul(block, part, differentiable);
      });
      return tf.add(tf.addN(products), bias);
    });
  }

  /** Weights as plain data (checkpoints, saving). */
  weightValues(): Promise<NamedValues[]> {
    return this.params.values();
  }

  /** Overwrites the weights; throws naming the first missing or misshapen one. */
  setWeightValues(weights: NamedValues[]): void {
    this.params.assign(weights);
  }

  dispose(): void {
    this.params.dispose();
  }
}
