import { type NamedValues, readTensors } from '@metagrad/core';
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

/** A whole inner run as data, read in one transfer. */
export async function readInnerRun(run: InnerRun): Promise<InnerRunData> {
  const names = Object.keys(run.state);
  const [params, loss, gradient, ...state] = await readTensors([
    run.params,
    run.loss,
    run.gradient,
    ...names.map((name) => run.state[name]!),
  ]);
  return {
    params: params!,
    loss: loss!,
    gradient: gradient!,
    state: Object.fromEntries(names.map((name, i) => [name, state[i]!])),
    step: run.step,
  };
}

/** Instances [start, start + count) of a whole inner run's data, for tasks of `n` parameters. */
export function innerRunShard(whole: InnerRunData, n: number, start: number, count: number): InnerRunData {
  const rows = (all: Float32Array, width: number) => all.slice(start * width, (start + count) * width);
  const total = whole.loss.length * n;
  const columns = (all: Float32Array) => {
    const height = all.length / total;
    const out = new Float32Array(height * count * n);
    for (let r = 0; r < height; r++) {
      out.set(all.subarray(r * total + start * n, r * total + (start + count) * n), r * count * n);
    }
    return out;
  };
  return {
    params: rows(whole.params, n),
    loss: rows(whole.loss, 1),
    gradient: rows(whole.gradient, n),
    state: Object.fromEntries(Object.entries(whole.state).map(([name, all]) => [name, columns(all)])),
    step: whole.step,
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

/** What `innerRunValues` gives for the same run held as data: the same names, shapes and values. */
export function innerRunDataValues(data: InnerRunData): NamedValues[] {
  const b = data.loss.length;
  const n = data.params.length / b;
  return [
    { name: 'params', shape: [b, n], values: data.params },
    ...Object.entries(data.state).map(([name, values]) => ({
      name: `state/${name}`,
      shape: [values.length / (b * n), b * n],
      values,
    })),
  ];
}
