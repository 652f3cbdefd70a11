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

/** Output of one policy step. */
export interface PolicyStep {
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
 * task, with a policy head (action logits) and a value head. Inputs and hidden states are
 * `[batch, features]`. The recurrence is the op {@link gruSequence} (a fused SIMD kernel or its
 * composite reference, per {@link kernels}); the heads are plain tfjs ops.
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
    add('policyW', glorotUniform([h, a], rng.child('policyW'), 0.1));
    add('policyB', zeros([a]));
    add('valueW', glorotUniform([h, 1], rng.child('valueW'), 0.1));
    add('valueB', zeros([1]));
  }

  /** Zero hidden state for `batch` trials: a trial starts with no memory. */
  initialState(batch: number): tf.Tensor2D {
    return tf.zeros([batch, this.shape.hidden]);
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
      gruSequence(inputs, h0 ?? this.initialState(inputs.shape[1]), this.gruWeights(), this.kernels),
    );
  }

  /**
   * One step: inputs `[B, I]`, hidden `[B, H]` → next hidden, logits `[B, A]`, value `[B]`.
   * Pass `differentiable = false` where no gradient tape is recording (rollouts): the heads then
   * skip the custom-gradient wrapper's overhead.
   */
  step(input: tf.Tensor2D, hidden: tf.Tensor2D, differentiable = true): PolicyStep {
    return tf.tidy(() => {
      const [batch, inputSize] = input.shape;
      const next = tf.reshape(this.sequence(tf.reshape(input, [1, batch, inputSize]), hidden), [
        batch,
        this.shape.hidden,
      ]) as tf.Tensor2D;
      return {
        hidden: next,
        logits: this.policyHead(next, differentiable),
        value: this.valueHead(next, differentiable),
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

  /** Action logits `[B, A]` from hidden states `[B, H]`. */
  policyHead(hidden: tf.Tensor2D, differentiable = true): tf.Tensor2D {
    return tf.add(matMul(hidden, this.params.get('policyW'), differentiable), this.params.get('policyB'));
  }

  /** State values `[B]` from hidden states `[B, H]`. */
  valueHead(hidden: tf.Tensor2D, differentiable = true): tf.Tensor1D {
    return tf.reshape(
      tf.add(matMul(hidden, this.params.get('valueW'), differentiable), this.params.get('valueB')),
      [-1],
    );
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
