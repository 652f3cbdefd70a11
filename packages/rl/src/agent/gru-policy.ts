import { type KernelChoice, matMulPlainGrad, type Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { type GruWeights, gruSequence } from '../ops/gru-sequence.js';

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
}

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

let nextInstance = 0;

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
  readonly variables: tf.Variable[];
  readonly weightNames: string[];
  private readonly w: Record<string, tf.Variable> = {};
  /** Implementation of the GRU op: the fused SIMD kernel or the composite of tfjs ops (see {@link KernelChoice}). */
  kernels: KernelChoice = 'auto';

  /** Weights by name (`Wz`, `Uz`, `bz`, … `policyW`, `valueB`), for hand-written gradients. */
  get weights(): Readonly<Record<string, tf.Variable>> {
    return this.w;
  }

  constructor(shape: GruPolicyShape, rng: Rng, init: GruInit = { updateGateBias: 'zero' }) {
    this.shape = shape;
    const prefix = `gru-policy-${nextInstance++}`;
    const { inputSize, hidden: h, actions: a } = shape;
    const embedding = shape.embedding ?? 0;
    if (!Number.isInteger(embedding) || embedding < 0)
      throw new Error(`GruPolicy: embedding must be a non-negative integer, got ${embedding}`);
    // The GRU's input width.
    const i = embedding > 0 ? embedding : inputSize;
    const glorot = (name: string, rows: number, cols: number, scale = 1) =>
      tf.tidy(() => {
        const limit = scale * Math.sqrt(6 / (rows + cols));
        return tf.sub(tf.mul(rng.child(name).uniform([rows, cols]), 2 * limit), limit);
      });
    const specs: [string, () => tf.Tensor][] = [];
    if (embedding > 0) {
      // Glorot × √2: a ReLU halves its inputs' variance.
      specs.push(['embedW', () => glorot('embedW', inputSize, embedding, Math.SQRT2)]);
      specs.push(['embedB', () => tf.zeros([embedding])]);
    }
    for (const gate of ['z', 'r', 'n']) {
      specs.push([`W${gate}`, () => glorot(`W${gate}`, i, h)]);
      specs.push([`U${gate}`, () => glorot(`U${gate}`, h, h)]);
      const chrono = gate === 'z' && init.updateGateBias === 'chrono';
      specs.push([
        `b${gate}`,
        () => (chrono ? chronoBias(h, init.maxTimescale, rng.child('bz')) : tf.zeros([h])),
      ]);
    }
    specs.push(['policyW', () => glorot('policyW', h, a, 0.1)]);
    specs.push(['policyB', () => tf.zeros([a])]);
    specs.push(['valueW', () => glorot('valueW', h, 1, 0.1)]);
    specs.push(['valueB', () => tf.zeros([1])]);
    this.variables = [];
    this.weightNames = [];
    for (const [name, init] of specs) {
      const value = init();
      const v = tf.variable(value, true, `${prefix}/${name}`);
      value.dispose();
      this.w[name] = v;
      this.variables.push(v);
      this.weightNames.push(name);
    }
  }

  /** Zero hidden state for `batch` trials: a trial starts with no memory. */
  initialState(batch: number): tf.Tensor2D {
    return tf.zeros([batch, this.shape.hidden]);
  }

  /** The GRU's weights (and the embedding's), as the op takes them. */
  gruWeights(): GruWeights {
    const w = this.w;
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
    return tf.add(matMul(hidden, this.w.policyW!, differentiable), this.w.policyB!);
  }

  /** State values `[B]` from hidden states `[B, H]`. */
  valueHead(hidden: tf.Tensor2D, differentiable = true): tf.Tensor1D {
    return tf.reshape(tf.add(matMul(hidden, this.w.valueW!, differentiable), this.w.valueB!), [-1]);
  }

  /** Weights as plain data (checkpoints, saving). */
  weightValues(): { name: string; shape: number[]; values: Float32Array }[] {
    return this.variables.map((v, i) => ({
      name: this.weightNames[i]!,
      shape: v.shape,
      values: Float32Array.from(v.dataSync() as Float32Array),
    }));
  }

  setWeightValues(weights: { name: string; shape: number[]; values: Float32Array }[]): void {
    const byName = new Map(weights.map((w) => [w.name, w]));
    this.variables.forEach((v, i) => {
      const w = byName.get(this.weightNames[i]!);
      if (!w || w.values.length !== v.size)
        throw new Error(`weight ${this.weightNames[i]} is missing or has the wrong size`);
      tf.tidy(() => v.assign(tf.tensor(w.values, v.shape)));
    });
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}
