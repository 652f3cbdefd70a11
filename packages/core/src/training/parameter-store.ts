import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random/rng.js';
import { assignValues, type NamedValues, valuesOf } from './named-values.js';

let nextStore = 0;

/**
 * A network's trainable weights by name: created once with their initialisers, read and written
 * as {@link NamedValues} for saving and checkpoints, and disposed together. Names are the logical
 * ones (`Wz`, `kernel0`); the tfjs variables get a unique per-process prefix, since tfjs variable
 * names must be unique.
 *
 * @example
 * ```ts
 * const params = new ParameterStore('my-net');
 * const w = params.add('w', initializers.glorotUniform([4, 8], rng.child('w')));
 * const b = params.add('b', initializers.zeros([8]));
 * params.assign(params.values()); // a round trip through plain data
 * ```
 */
export class ParameterStore {
  readonly variables: tf.Variable[] = [];
  readonly names: string[] = [];
  private readonly prefix: string;
  private readonly byName = new Map<string, tf.Variable>();

  constructor(scope: string) {
    this.prefix = `${scope}-${nextStore++}`;
  }

  /** Adds a trainable weight with `initial` as its value (the store takes the tensor and disposes it). */
  add(name: string, initial: tf.Tensor): tf.Variable {
    if (this.byName.has(name)) throw new Error(`ParameterStore: ${name} is already defined`);
    const variable = tf.variable(initial, true, `${this.prefix}/${name}`);
    initial.dispose();
    this.byName.set(name, variable);
    this.variables.push(variable);
    this.names.push(name);
    return variable;
  }

  /** The weight called `name`. */
  get(name: string): tf.Variable {
    const variable = this.byName.get(name);
    if (!variable) throw new Error(`ParameterStore: no weight ${name}`);
    return variable;
  }

  /** Every weight as plain data, in the order they were added. */
  values(): Promise<NamedValues[]> {
    return valuesOf(this.variables, this.names);
  }

  /** Overwrites every weight from plain data; throws naming the first missing or misshapen weight. */
  assign(values: NamedValues[]): void {
    assignValues(this.variables, this.names, values);
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

/** Initialisers: functions of a shape (and a random stream) that return a fresh tensor. */
export const initializers = {
  zeros: (shape: number[]): tf.Tensor => tf.zeros(shape),
  /**
   * Glorot (Xavier) uniform on [−l, l], l = scale·√(6 / (rows + cols)), for a `[rows, cols]` matrix
   * (scale √2 before a ReLU, small scales for output heads).
   */
  glorotUniform: (shape: [number, number], rng: Rng, scale = 1): tf.Tensor =>
    tf.tidy(() => {
      const limit = scale * Math.sqrt(6 / (shape[0] + shape[1]));
      return tf.sub(tf.mul(rng.uniform(shape), 2 * limit), limit);
    }),
  /** N(0, stddev²). */
  normal: (shape: number[], rng: Rng, stddev: number): tf.Tensor => rng.normalTensor(shape, 0, stddev),
};
