import { initializers, type NamedValues, ParameterStore, type Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';

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
  /** Where its weights live (`kernel0`, `kernel1`, …); a learned optimizer adds its head to the same store. */
  readonly params: ParameterStore;

  /** Trainable weights: one kernel per layer. */
  get variables(): tf.Variable[] {
    return this.params.variables.filter((_, i) => this.params.names[i]!.startsWith('kernel'));
  }

  /** Logical names of {@link variables}, used when saving. */
  get weightNames(): string[] {
    return this.params.names.filter((name) => name.startsWith('kernel'));
  }

  constructor(shape: CoordinatewiseLstmShape, rng: Rng, params = new ParameterStore('coordinatewise-lstm')) {
    this.shape = shape;
    this.params = params;
    let inputSize = shape.inputSize;
    shape.layers.forEach((units, l) => {
      const fanIn = inputSize + units;
      const kernel = tf.tidy(() => {
        const w = initializers.glorotUniform([4 * units, fanIn], rng.child(`kernel${l}`));
        // Forget-gate bias 1 (Gers et al.): gates start open.
        const bias = tf.concat([tf.zeros([units, 1]), tf.ones([units, 1]), tf.zeros([2 * units, 1])]);
        return tf.concat([w, bias], 1);
      });
      params.add(`kernel${l}`, kernel);
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

  dispose(): void {
    this.params.dispose();
  }
}
