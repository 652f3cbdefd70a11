import * as tf from '@tensorflow/tfjs';
import type { InnerRun } from '../meta/meta-gradient.js';
import type { Task } from '../tasks/task.js';

/** An inner run's tensors as plain arrays: what crosses to and from a gradient worker. */
export interface InnerRunData {
  /** θ `[B × n]`, losses `[B]`, gradients `[B × n]`. */
  params: Float32Array;
  loss: Float32Array;
  gradient: Float32Array;
  /** The learned optimizer's state by name, each `[rows × coordinates]` (one column per coordinate). */
  state: Record<string, Float32Array>;
  step: number;
}

/** Instances [start, start + count) of an inner run, as data. */
export function innerRunShard(run: InnerRun, start: number, count: number): InnerRunData {
  const n = run.task.numParams;
  const rows = (t: tf.Tensor, width: number) =>
    (t.dataSync() as Float32Array).slice(start * width, (start + count) * width);
  const columns = (t: tf.Tensor2D) => {
    const [height, width] = t.shape;
    const all = t.dataSync() as Float32Array;
    const out = new Float32Array(height * count * n);
    for (let r = 0; r < height; r++) {
      out.set(all.subarray(r * width + start * n, r * width + (start + count) * n), r * count * n);
    }
    return out;
  };
  return {
    params: rows(run.params, n),
    loss: rows(run.loss, 1),
    gradient: rows(run.gradient, n),
    state: Object.fromEntries(Object.entries(run.state).map(([name, t]) => [name, columns(t)])),
    step: run.step,
  };
}

/** Joins shards (in order) back into one inner run of `task`. */
export function joinInnerRun(task: Task, shards: InnerRunData[]): InnerRun {
  const n = task.numParams;
  const b = task.numInstances;
  const concat = (parts: Float32Array[]) => {
    const out = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0));
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  };
  // A shard's state is [H × its coordinates]; the joined state puts the shards' columns side by side.
  const joinColumns = (parts: Float32Array[]) => {
    const total = b * n;
    const height = parts[0]!.length / shards[0]!.params.length;
    const out = new Float32Array(height * total);
    let column = 0;
    parts.forEach((part, s) => {
      const width = shards[s]!.params.length;
      for (let r = 0; r < height; r++) out.set(part.subarray(r * width, (r + 1) * width), r * total + column);
      column += width;
    });
    return tf.tensor2d(out, [height, total]);
  };
  return {
    task,
    params: tf.tensor2d(concat(shards.map((s) => s.params)), [b, n]),
    loss: tf.tensor1d(concat(shards.map((s) => s.loss))),
    gradient: tf.tensor2d(concat(shards.map((s) => s.gradient)), [b, n]),
    state: Object.fromEntries(
      Object.keys(shards[0]!.state).map((name) => [name, joinColumns(shards.map((s) => s.state[name]!))]),
    ),
    step: shards[0]!.step,
  };
}

/** An inner run of `task` from data (a worker's shard). */
export function innerRunFromData(task: Task, data: InnerRunData): InnerRun {
  const n = task.numParams;
  const b = task.numInstances;
  return {
    task,
    params: tf.tensor2d(data.params, [b, n]),
    loss: tf.tensor1d(data.loss),
    gradient: tf.tensor2d(data.gradient, [b, n]),
    state: Object.fromEntries(
      Object.entries(data.state).map(([name, values]) => [
        name,
        tf.tensor2d(values, [values.length / (b * n), b * n]),
      ]),
    ),
    step: data.step,
  };
}
