import { fastTanh, type Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';

let nextInstance = 0;

/** A weight tensor as plain data. */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

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
 * Per-meta-step views of the weights: gate matrices split out and transposed once, so the
 * inner loop never slices or transposes (both are slow on the wasm backend, and tfjs's
 * transposed matmuls are ~10× slower than plain ones there).
 */
export interface PreparedLstm {
  /** Per layer, per gate (input, forget, output, candidate): `[H, I + H + 1]`, bias in the last column. */
  gates: tf.Tensor2D[][];
  /** Per layer: transposed input part `[I, 4H]` and recurrent part `[H, 4H]` of the stacked kernel. */
  inputT: tf.Tensor2D[];
  recurrentT: tf.Tensor2D[];
}

/** What one layer's step keeps for the backward pass. */
export interface LayerRecord {
  /** `[x; h_prev; 1]`: `[I + H + 1, N]`. */
  xh: tf.Tensor2D;
  i: tf.Tensor2D;
  f: tf.Tensor2D;
  o: tf.Tensor2D;
  g: tf.Tensor2D;
  cPrev: tf.Tensor2D;
  /** tanh(c_next). */
  tanhC: tf.Tensor2D;
}

/**
 * A stack of LSTM layers applied to every coordinate independently with shared weights
 * (the "coordinatewise" network of Andrychowicz et al. 2016). Coordinates run along columns,
 * so one step costs a fixed handful of ops whatever the number of coordinates.
 *
 * Besides the differentiable forward pass, it has a hand-written backward pass through
 * time ({@link backward}) that the meta-trainer uses: tfjs's generic gradients for this
 * network are dominated by slices and transposed matmuls that are slow on wasm.
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

  /** Splits and transposes the weights for one meta-step (differentiable, for the autodiff path). */
  prepare(): PreparedLstm {
    return tf.tidy(() => this.prepareUntidied() as unknown as tf.TensorContainer) as unknown as PreparedLstm;
  }

  private prepareUntidied(): PreparedLstm {
    const gates: tf.Tensor2D[][] = [];
    const inputT: tf.Tensor2D[] = [];
    const recurrentT: tf.Tensor2D[] = [];
    let inputSize = this.shape.inputSize;
    this.shape.layers.forEach((units, l) => {
      const kernel = this.variables[l]! as tf.Tensor2D;
      gates.push(tf.split(kernel, 4, 0) as tf.Tensor2D[]);
      inputT.push(tf.transpose(kernel.slice([0, 0], [4 * units, inputSize])));
      recurrentT.push(tf.transpose(kernel.slice([0, inputSize], [4 * units, units])));
      inputSize = units;
    });
    return { gates, inputT, recurrentT };
  }

  /**
   * One step on inputs `[I, N]`: returns the last layer's hidden output `[H, N]` and the next
   * state. When `record` is given, pushes what {@link backward} needs for each layer.
   */
  step(
    prepared: PreparedLstm,
    input: tf.Tensor2D,
    state: LstmState,
    ones: tf.Tensor2D,
    record?: LayerRecord[],
  ): { hidden: tf.Tensor2D; state: LstmState } {
    const h: tf.Tensor2D[] = [];
    const c: tf.Tensor2D[] = [];
    let x = input;
    this.shape.layers.forEach((_, l) => {
      const layer = tf.tidy(() => {
        const xh = tf.concat([x, state.h[l]!, ones], 0) as tf.Tensor2D;
        const [wi, wf, wo, wg] = prepared.gates[l]!;
        const i = tf.sigmoid(tf.matMul(wi!, xh)) as tf.Tensor2D;
        const f = tf.sigmoid(tf.matMul(wf!, xh)) as tf.Tensor2D;
        const o = tf.sigmoid(tf.matMul(wo!, xh)) as tf.Tensor2D;
        const g = fastTanh(tf.matMul(wg!, xh) as tf.Tensor2D);
        const cNext = tf.add(tf.mul(f, state.c[l]!), tf.mul(i, g)) as tf.Tensor2D;
        const tanhC = fastTanh(cNext);
        return { xh, i, f, o, g, cNext, tanhC, hNext: tf.mul(o, tanhC) as tf.Tensor2D };
      });
      const { xh, i, f, o, g, cNext, tanhC, hNext } = layer;
      if (record) record.push({ xh, i, f, o, g, cPrev: state.c[l]!, tanhC });
      else tf.dispose([xh, i, f, o, g, tanhC]);
      h.push(hNext);
      c.push(cNext);
      x = hNext;
    });
    return { hidden: x, state: { h, c } };
  }

  /**
   * Backpropagation through time over recorded steps. `records[t]` holds the layer records of
   * step t; `dHidden[t]` is the loss gradient reaching step t's last-layer output `[H, N]`.
   * Returns the gradient of each kernel (aligned with {@link variables}).
   */
  backward(prepared: PreparedLstm, records: LayerRecord[][], dHidden: tf.Tensor2D[]): tf.Tensor[] {
    const layers = this.shape.layers.length;
    const grads: tf.Tensor[] = this.variables.map((v) => tf.zeros(v.shape));
    // Gradients flowing back in time into each layer's h and c.
    let dhNext: (tf.Tensor2D | undefined)[] = new Array(layers).fill(undefined);
    let dcNext: (tf.Tensor2D | undefined)[] = new Array(layers).fill(undefined);
    for (let t = records.length - 1; t >= 0; t--) {
      const stepRecords = records[t]!;
      const dhPrevStep: (tf.Tensor2D | undefined)[] = new Array(layers).fill(undefined);
      const dcPrevStep: (tf.Tensor2D | undefined)[] = new Array(layers).fill(undefined);
      let dFromAbove: tf.Tensor2D | undefined = dHidden[t];
      for (let l = layers - 1; l >= 0; l--) {
        const r = stepRecords[l]!;
        const out = tf.tidy(() => {
          const parts = [dFromAbove, dhNext[l]].filter((d): d is tf.Tensor2D => d !== undefined);
          const dh = parts.length === 1 ? parts[0]! : tf.addN(parts);
          // h = o·tanh(c); c = f·c_prev + i·g
          const dTanhC = tf.mul(dh, r.o);
          const dcFromH = tf.mul(dTanhC, tf.sub(1, tf.square(r.tanhC)));
          const dc = dcNext[l] ? tf.add(dcFromH, dcNext[l]!) : dcFromH;
          const dai = tf.mul(tf.mul(dc, r.g), tf.mul(r.i, tf.sub(1, r.i)));
          const daf = tf.mul(tf.mul(dc, r.cPrev), tf.mul(r.f, tf.sub(1, r.f)));
          const dao = tf.mul(tf.mul(dh, r.tanhC), tf.mul(r.o, tf.sub(1, r.o)));
          const dag = tf.mul(tf.mul(dc, r.i), tf.sub(1, tf.square(r.g)));
          const da = tf.concat([dai, daf, dao, dag], 0) as tf.Tensor2D;
          const dKernel = tf.add(grads[l]!, tf.matMul(da, tf.transpose(r.xh)));
          const dhPrev = tf.matMul(prepared.recurrentT[l]!, da) as tf.Tensor2D;
          const dx = l > 0 ? (tf.matMul(prepared.inputT[l]!, da) as tf.Tensor2D) : undefined;
          return { dKernel, dhPrev, dcPrev: tf.mul(dc, r.f) as tf.Tensor2D, dx };
        });
        grads[l]!.dispose();
        grads[l] = out.dKernel;
        dhPrevStep[l] = out.dhPrev;
        dcPrevStep[l] = out.dcPrev;
        if (dFromAbove !== dHidden[t]) dFromAbove?.dispose();
        dFromAbove = out.dx;
      }
      tf.dispose([...dhNext, ...dcNext].filter((d): d is tf.Tensor2D => d !== undefined));
      dhNext = dhPrevStep;
      dcNext = dcPrevStep;
    }
    tf.dispose([...dhNext, ...dcNext].filter((d): d is tf.Tensor2D => d !== undefined));
    return grads;
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

/** Disposes the recorded activations of one step. */
export function disposeLayerRecords(records: LayerRecord[]): void {
  for (const r of records) tf.dispose([r.xh, r.i, r.f, r.o, r.g, r.tanhC]);
}

/** Disposes prepared weight views. */
export function disposePrepared(prepared: PreparedLstm): void {
  tf.dispose([...prepared.gates.flat(), ...prepared.inputT, ...prepared.recurrentT]);
}
