import { batchedProduct, initializers, matMulPlainGrad, type ParameterStore, type Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Sizes of a {@link slotMemorySequence}: `slots` places a step can write to, `heads` reads per
 * step, and `width` learned (value, count) pairs per write.
 */
export interface SlotMemoryShape {
  slots: number;
  heads: number;
  width: number;
  /**
   * Where the addresses come from. Absent: learned from the whole input, for writes and reads
   * alike. Given: one shared map of observations to slots, applied to the previous observation
   * for a write and to the current one for a read (each head adds a bias of its own), so that a
   * read finds what was written in the state it is in from the first iteration on, as Neural
   * Episodic Control keys its memory by one state embedding (Pritzel et al. 2017).
   */
  keyedBy?: ObservationColumns;
}

/** Where the current and the previous observation lie in an input row: `size` columns from each. */
export interface ObservationColumns {
  current: number;
  previous: number;
  size: number;
}

/** Floats of memory a trial carries from step to step: per slot, the sums of values and of counts. */
export function slotMemoryStateSize(shape: SlotMemoryShape): number {
  return shape.slots * 2 * shape.width;
}

/** Features one step's reads give the heads: per head and pair, a mean and a log-count. */
export function slotMemoryReadoutSize(shape: SlotMemoryShape): number {
  return shape.heads * 2 * shape.width;
}

/** Names of the memory's weights in a policy's {@link ParameterStore}. */
const KEY = 'memoryKey';
const QUERY = 'memoryQuery';
const VALUE = 'memoryValue';
const GATE = 'memoryGate';
const COUNT = 'memoryCount';

/**
 * Adds the memory's weights to `params`, reading inputs of `inputSize` features. Kept beside the
 * owner's other weights so that saving, checkpoints and the gradient workers carry them unchanged.
 */
export function addSlotMemoryWeights(
  params: ParameterStore,
  inputSize: number,
  shape: SlotMemoryShape,
  rng: Rng,
): void {
  const { slots, heads, width } = shape;
  for (const [field, value] of Object.entries({ slots, heads, width }))
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`slot memory: ${field} must be a positive integer, got ${value}`);
  const { glorotUniform, zeros } = initializers;
  const layer = (name: string, units: number, gain = 1, from = inputSize) => {
    params.add(`${name}W`, glorotUniform([from, units], rng.child(name), gain));
    params.add(`${name}B`, zeros([units]));
  };
  const { keyedBy } = shape;
  if (keyedBy) {
    const { current, previous, size } = keyedBy;
    if (Math.max(current, previous) + size > inputSize || Math.min(current, previous) < 0 || size < 1)
      throw new Error(
        `slot memory: observation columns ${JSON.stringify(keyedBy)} outside inputs of ${inputSize}`,
      );
    // Glorot × 10: addresses start out sharp, a random map of states to a few slots each (10
    // one-hot states, 16 slots: a read weighs a write from its own state 5× one from another).
    layer(KEY, slots, 10, size);
    params.add(`${QUERY}B`, zeros([heads * slots]));
  } else {
    layer(KEY, slots);
    layer(QUERY, heads * slots);
  }
  layer(VALUE, width);
  // Glorot × √2: a ReLU halves its inputs' variance.
  layer(GATE, width, Math.SQRT2);
  layer(COUNT, width, Math.SQRT2);
}

/** x·W + b of the memory's layer `name`. */
function affine(x: tf.Tensor2D, params: ParameterStore, name: string): tf.Tensor2D {
  return tf.add(matMulPlainGrad(x, params.get(`${name}W`) as tf.Tensor2D), params.get(`${name}B`));
}

/**
 * What rows of inputs `[N, I]` write and ask: the write's soft address `[N, S]`, its value and
 * count features `[N, V]` each (a count weighs the value beside it), and the reads' soft addresses
 * `[N, heads, S]`.
 */
function project(x: tf.Tensor2D, params: ParameterStore, shape: SlotMemoryShape) {
  const n = x.shape[0];
  const { heads, slots, keyedBy } = shape;
  let addressLogits: tf.Tensor2D;
  let queryLogits: tf.Tensor;
  if (keyedBy) {
    const { current, previous, size } = keyedBy;
    const observed = (at: number) => affine(tf.slice(x, [0, at], [n, size]), params, KEY);
    addressLogits = observed(previous);
    const headBias = tf.reshape(params.get(`${QUERY}B`), [heads, slots]);
    queryLogits = tf.add(tf.reshape(observed(current), [n, 1, slots]), headBias);
  } else {
    addressLogits = affine(x, params, KEY);
    queryLogits = tf.reshape(affine(x, params, QUERY), [n, heads, slots]);
  }
  return {
    address: tf.softmax(addressLogits),
    // A gated value (a product of two affine maps of the input) can be "the reward, after action
    // a" exactly; a ReLU of one affine map only approximates it with large weights.
    values: tf.mul(tf.relu(affine(x, params, GATE)), affine(x, params, VALUE)) as tf.Tensor2D,
    counts: tf.relu(affine(x, params, COUNT)),
    queries: tf.softmax(queryLogits) as tf.Tensor3D,
  };
}

/**
 * A memory's reads, two blocks of `[N, heads · V]`: each value's sum where a head looks over 1 + the
 * sum of its count (a running mean with one empty write as a prior, so that an unvisited place reads
 * 0, not 0/0), and log(1 + the count's sum), how much the head has seen there.
 */
export type SlotMemoryReads = {
  means: tf.Tensor2D;
  seen: tf.Tensor2D;
};

/** {@link SlotMemoryReads} from sums of values and of counts, `[N, heads, V]` each. */
function reads(values: tf.Tensor3D, counts: tf.Tensor3D): SlotMemoryReads {
  const [n, heads, width] = values.shape;
  return {
    means: tf.reshape(tf.div(values, tf.add(counts, 1)), [n, heads * width]),
    seen: tf.reshape(tf.log1p(counts), [n, heads * width]),
  };
}

/** `[T · H, T]`: 1 where row t · H + h (head h at step t) may see step τ ≤ t, else 0. */
function causalMask(steps: number, heads: number): tf.Tensor2D {
  const mask = new Float32Array(steps * heads * steps);
  for (let t = 0; t < steps; t++)
    for (let h = 0; h < heads; h++) mask.fill(1, (t * heads + h) * steps, (t * heads + h) * steps + t + 1);
  return tf.tensor2d(mask, [steps * heads, steps]);
}

/**
 * An addressable memory of the trial so far, over whole trials of inputs `[T, B, I]` → reads of
 * `[T · B, heads · V]` each (time-major rows). Step t writes value and count features of its input
 * (which holds the previous state, action and reward) at a soft slot address, and each head reads
 * at a soft address, both learned from the input or, with {@link SlotMemoryShape.keyedBy}, from
 * the previous and the current observation through one map: a mean of the values written there,
 * each weighted by its count. It can keep a mean reward per (state, action) as a table does
 * (address by state, count by action), which a GRU of 64–128 units learns only in part. A read at
 * step t sees writes 1…t. Computed as causal linear attention per trial (scores q_t · k_τ), which
 * costs T² · B · heads · (S + 2V) products instead of holding every step's memory. Differentiable
 * in the weights.
 */
export function slotMemorySequence(
  inputs: tf.Tensor3D,
  params: ParameterStore,
  shape: SlotMemoryShape,
): SlotMemoryReads {
  return tf.tidy(() => {
    const [steps, batch, inputSize] = inputs.shape;
    const { slots, heads, width } = shape;
    const byTrial = tf.reshape(tf.transpose(inputs, [1, 0, 2]), [batch * steps, inputSize]) as tf.Tensor2D;
    const { address, values, counts, queries } = project(byTrial, params, shape);
    const keysByColumn = tf.transpose(tf.reshape(address, [batch, steps, slots]), [0, 2, 1]) as tf.Tensor3D;
    const asked = tf.reshape(queries, [batch, steps * heads, slots]) as tf.Tensor3D;
    const scores = tf.mul(batchedProduct(asked, keysByColumn), causalMask(steps, heads)) as tf.Tensor3D;
    // Rows (trial, step, head) → (step, trial, head): time-major, as the GRU's states are.
    const timeMajor = (written: tf.Tensor2D) => {
      const sums = batchedProduct(scores, tf.reshape(written, [batch, steps, width]) as tf.Tensor3D);
      const bySteps = tf.transpose(tf.reshape(sums, [batch, steps, heads * width]), [1, 0, 2]);
      return tf.reshape(bySteps, [steps * batch, heads, width]) as tf.Tensor3D;
    };
    return reads(timeMajor(values), timeMajor(counts));
  });
}

/**
 * One step of {@link slotMemorySequence} in its recurrent form: inputs `[B, I]` and each trial's
 * memory `[B, S · 2V]` (zero at a trial's start: per slot, V sums of values, then V of counts) → the
 * memory after this step's write and the heads' reads.
 */
export function slotMemoryStep(
  input: tf.Tensor2D,
  memory: tf.Tensor2D,
  params: ParameterStore,
  shape: SlotMemoryShape,
): { memory: tf.Tensor2D; reads: SlotMemoryReads } {
  return tf.tidy(() => {
    const batch = input.shape[0];
    const { slots, heads, width } = shape;
    const { address, values, counts, queries } = project(input, params, shape);
    const written = tf.concat([values, counts], 1);
    const write = tf.mul(tf.reshape(address, [batch, slots, 1]), tf.reshape(written, [batch, 1, 2 * width]));
    const next = tf.add(memory, tf.reshape(write, [batch, slotMemoryStateSize(shape)])) as tf.Tensor2D;
    const sums = batchedProduct(queries, tf.reshape(next, [batch, slots, 2 * width]) as tf.Tensor3D);
    const part = (begin: number) => tf.slice(sums, [0, 0, begin], [batch, heads, width]) as tf.Tensor3D;
    return { memory: next, reads: reads(part(0), part(width)) };
  });
}
