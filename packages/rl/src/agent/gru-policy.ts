import type { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';

/** Sizes of a {@link GruPolicy}. */
export interface GruPolicyShape {
  inputSize: number;
  hidden: number;
  actions: number;
}

/** Output of one policy step. */
export interface PolicyStep {
  hidden: tf.Tensor2D;
  logits: tf.Tensor2D;
  value: tf.Tensor1D;
}

let nextInstance = 0;

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

  constructor(shape: GruPolicyShape, rng: Rng) {
    this.shape = shape;
    const prefix = `gru-policy-${nextInstance++}`;
    const { inputSize: i, hidden: h, actions: a } = shape;
    const glorot = (name: string, rows: number, cols: number, scale = 1) =>
      tf.tidy(() => {
        const limit = scale * Math.sqrt(6 / (rows + cols));
        return tf.sub(tf.mul(rng.child(name).uniform([rows, cols]), 2 * limit), limit);
      });
    const specs: [string, () => tf.Tensor][] = [];
    for (const gate of ['z', 'r', 'n']) {
      specs.push([`W${gate}`, () => glorot(`W${gate}`, i, h)]);
      specs.push([`U${gate}`, () => glorot(`U${gate}`, h, h)]);
      specs.push([`b${gate}`, () => tf.zeros([h])]);
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

  /** One step: inputs `[B, I]`, hidden `[B, H]` → next hidden, logits `[B, A]`, value `[B]`. */
  step(input: tf.Tensor2D, hidden: tf.Tensor2D): PolicyStep {
    return tf.tidy(() => {
      const w = this.w;
      const gate = (g: string, h: tf.Tensor2D) =>
        tf.add(
          tf.add(tf.matMul(input, w[`W${g}`] as tf.Tensor2D), tf.matMul(h, w[`U${g}`] as tf.Tensor2D)),
          w[`b${g}`]!,
        );
      const z = tf.sigmoid(gate('z', hidden));
      const r = tf.sigmoid(gate('r', hidden));
      const n = tf.tanh(
        tf.add(
          tf.add(
            tf.matMul(input, w.Wn as tf.Tensor2D),
            tf.matMul(tf.mul(r, hidden) as tf.Tensor2D, w.Un as tf.Tensor2D),
          ),
          w.bn!,
        ),
      );
      const next = tf.add(hidden, tf.mul(z, tf.sub(n, hidden))) as tf.Tensor2D;
      const logits = tf.add(tf.matMul(next, w.policyW as tf.Tensor2D), w.policyB!) as tf.Tensor2D;
      const value = tf.add(tf.matMul(next, w.valueW as tf.Tensor2D), w.valueB!).reshape([-1]) as tf.Tensor1D;
      return { hidden: next, logits, value };
    });
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
