import type { NamedValues, Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';

let nextInstance = 0;

/** A weight tensor as plain data (@metagrad/core's {@link NamedValues}). */
export type NamedWeight = NamedValues;

/**
 * Recurrent state of a coordinatewise LSTM: per layer, hidden and cell `[H, N]` (one column per
 * coordinate). A type alias, so `tf.tidy` can return it.
 */
export type LstmState = {
  h: tf.Tensor2D[];
  c: tf.Tensor2D[];
};

/** Shape of a {@link CoordinatewiseLstm}. */
export interface CoordinatewiseLstmShape {
  /** Features per coordinate fed to the first layer. */
  inputSize: number;
  /** Units per LSTM layer. */
  layers: number[];
}

/**
 * A stack of LSTM layers applied to every coordinate independently with shared weights
 * (the "coordinatewise" network of Andrychowicz et al. 2016). Coordinates run along columns.
 *
 * This class owns the weights; the step itself is the op {@link lstmOptimizerStep} (a fused
 * SIMD kernel with a hand-written adjoint, or its composite reference).
 *
 * Weights per layer: one kernel `[4H, I + H + 1]`, rows grouped by gate (input, forget,
 * output, candidate), bias in the last column; the forget-gate bias starts at 1.
 */
export class CoordinatewiseLstm {
  readonly shape: CoordinatewiseLstmShape;
  /** Trainable weights: one kernel per layer. */
  readonly variables: tf.Variable[];
  /** Logical names of {@link variables}, used when saving (tfjs variable names must be unique per process). */
  readonly weightNames: string[];

  constructor(shape: CoordinatewiseLstmShape, rng: Rng) {
    this.shape = shape;
    const prefix = `coordinatewise-lstm-${nextInstance++}`;
    this.variables = [];
    this.weightNames = [];
    let inputSize = shape.inputSize;
    shape.layers.forEach((units, l) => {
      const fanIn = inputSize + units;
      const limit = Math.sqrt(6 / (fanIn + 4 * units));
      const kernel = tf.tidy(() => {
        const w = tf.sub(tf.mul(rng.child(`kernel${l}`).uniform([4 * units, fanIn]), 2 * limit), limit);
        const bias = tf.concat([tf.zeros([units, 1]), tf.ones([units, 1]), tf.zeros([2 * units, 1])]);
        return tf.concat([w, bias], 1);
      });
      this.variables.push(tf.variable(kernel, true, `${prefix}/kernel${l}`));
      this.weightNames.push(`kernel${l}`);
      kernel.dispose();
      inputSize = units;
    });
  }

  /** Units of the last layer. */
  get outputUnits(): number {
    return this.shape.layers[this.shape.layers.length - 1]!;
  }

  /** Zero state for `numCoordinates` coordinates. */
  initialState(numCoordinates: number): LstmState {
    return {
      h: this.shape.layers.map((units) => tf.zeros([units, numCoordinates]) as tf.Tensor2D),
      c: this.shape.layers.map((units) => tf.zeros([units, numCoordinates]) as tf.Tensor2D),
    };
  }

  /** Current weights as named plain arrays (for saving and checkpoints). */
  weightValues(): NamedWeight[] {
    return this.variables.map((v, i) => ({
      name: this.weightNames[i]!,
      shape: v.shape,
      values: Float32Array.from(v.dataSync() as Float32Array),
    }));
  }

  /** Overwrites the weights with values of matching names and shapes; throws naming any mismatch. */
  setWeightValues(weights: NamedWeight[]): void {
    setVariables(this.variables, this.weightNames, weights);
  }

  dispose(): void {
    tf.dispose(this.variables);
  }
}

/** Assigns named plain weights to variables, checking names and shapes. */
export function setVariables(variables: tf.Variable[], names: string[], weights: NamedWeight[]): void {
  const byName = new Map(weights.map((w) => [w.name, w]));
  variables.forEach((v, i) => {
    const name = names[i]!;
    const w = byName.get(name);
    if (!w) throw new Error(`missing weight ${name}`);
    if (w.shape.join('x') !== v.shape.join('x') || w.values.length !== v.size) {
      throw new Error(`weight ${name} has shape [${w.shape}] but the network expects [${v.shape}]`);
    }
    tf.tidy(() => v.assign(tf.tensor(w.values, w.shape)));
  });
}

/** Disposes every tensor of an LSTM state. */
export function disposeLstmState(state: LstmState): void {
  tf.dispose([...state.h, ...state.c]);
}
