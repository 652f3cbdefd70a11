import { fastTanh, matMulPlainGrad, type Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';

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

/** Activations of one GRU step. */
export interface GruGates {
  z: tf.Tensor2D;
  r: tf.Tensor2D;
  n: tf.Tensor2D;
  /** r ⊙ h. */
  resetHidden: tf.Tensor2D;
  next: tf.Tensor2D;
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
 * `[batch, features]`. Gates use separate weight blocks (no slicing in the inner loop).
 */
export class GruPolicy {
  readonly shape: GruPolicyShape;
  readonly variables: tf.Variable[];
  readonly weightNames: string[];
  private readonly w: Record<string, tf.Variable> = {};

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

  /**
   * One step: inputs `[B, I]`, hidden `[B, H]` → next hidden, logits `[B, A]`, value `[B]`.
   * Pass `differentiable = false` where no gradient tape is recording (rollouts, hand-written
   * BPTT): the same numbers without the custom-gradient wrapper's overhead.
   */
  step(input: tf.Tensor2D, hidden: tf.Tensor2D, differentiable = true): PolicyStep {
    return tf.tidy(() => {
      const { next } = this.cell(this.embed(input, differentiable), hidden, differentiable);
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
   * Steps stay separate tensors because slicing and stacking are slow on the wasm backend
   * (≈1.8 ms per [128 × 64] slice).
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

  /** The GRU's input: φ(x) = relu(x·W_φ + b_φ) with an embedding layer, otherwise x itself. */
  embed(input: tf.Tensor2D, differentiable = true): tf.Tensor2D {
    const w = this.w.embedW;
    if (!w) return input;
    return tf.relu(tf.add(matMul(input, w, differentiable), this.w.embedB!)) as tf.Tensor2D;
  }

  /** x·W_gate + b_gate. */
  private project(x: tf.Tensor2D, gate: string, differentiable: boolean): tf.Tensor2D {
    return tf.add(matMul(x, this.w[`W${gate}`]!, differentiable), this.w[`b${gate}`]!);
  }

  /**
   * The GRU update on an already embedded input x (see {@link embed}): h' = h + z ⊙ (n − h), with
   * z = σ(xW_z + hU_z + b_z), r = σ(xW_r + hU_r + b_r) and n = tanh(xW_n + (r ⊙ h)U_n + b_n).
   * Returns the gates too, for hand-written BPTT.
   */
  cell(input: tf.Tensor2D, hidden: tf.Tensor2D, differentiable = true): GruGates {
    const w = this.w;
    const z = tf.sigmoid(
      tf.add(this.project(input, 'z', differentiable), matMul(hidden, w.Uz!, differentiable)),
    ) as tf.Tensor2D;
    const r = tf.sigmoid(
      tf.add(this.project(input, 'r', differentiable), matMul(hidden, w.Ur!, differentiable)),
    ) as tf.Tensor2D;
    const resetHidden = tf.mul(r, hidden) as tf.Tensor2D;
    const n = fastTanh(
      tf.add(this.project(input, 'n', differentiable), matMul(resetHidden, w.Un!, differentiable)),
    ) as tf.Tensor2D;
    const next = tf.add(hidden, tf.mul(z, tf.sub(n, hidden))) as tf.Tensor2D;
    return { z, r, n, resetHidden, next };
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
