// The worker side of parallel meta-training: one truncation on a shard of the task batch.
import { type KernelChoice, Rng, readTensors, type ShardHandlers } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { NamedWeight } from '../learned/coordinatewise-lstm.js';
import type { LearnedOptimizerConfig } from '../learned/learned-optimizer.js';
import { LstmOptimizer } from '../learned/lstm-optimizer.js';
import { disposeInnerRun, type MetaObjective, metaGradient } from '../meta/meta-gradient.js';
import { type TaskFamilySpec, taskFamilyFromSpec } from '../tasks/family-spec.js';
import type { Task, TaskFamily } from '../tasks/task.js';
import { type InnerRunData, innerRunFromData, readInnerRun } from './inner-run-data.js';

/** One truncation's work for a worker. */
export interface MetaShardRequest {
  family: TaskFamilySpec;
  optimizer: LearnedOptimizerConfig;
  kernels: KernelChoice;
  /** The learned optimizer's weights, by name. */
  weights: NamedWeight[];
  /** The task batch: its stream's seed and size; this shard's instances [start, start + count). */
  taskSeed: string;
  instances: number;
  start: number;
  count: number;
  run: InnerRunData;
  unroll: number;
  stepWeights?: number[];
  objective?: MetaObjective;
  secondOrder?: boolean;
  strategy?: 'linearized' | 'direct';
  metaStep: number;
  noiseSeed: string;
}

/** The shard's meta-loss (a mean over its instances), its gradients (in variable order) and its advanced run. */
export interface MetaShardResult {
  metaLoss: number;
  grads: Float32Array[];
  next: InnerRunData;
}

// Built once per worker and reused: the family (it may hold a data set), the optimizer, the epoch's task.
let family: { key: string; value: TaskFamily } | undefined;
let optimizer: { key: string; value: LstmOptimizer } | undefined;
let task: { key: string; value: Task } | undefined;

function cached<T>(
  slot: { key: string; value: T } | undefined,
  key: string,
  make: () => T,
  free: (v: T) => void,
) {
  if (slot?.key === key) return slot;
  if (slot) free(slot.value);
  return { key, value: make() };
}

export const shardHandlers = {
  metaGradient: async (request: MetaShardRequest): Promise<MetaShardResult> => {
    family = cached(
      family,
      JSON.stringify(request.family),
      () => taskFamilyFromSpec(request.family),
      (f) => f.dispose(),
    );
    optimizer = cached(
      optimizer,
      JSON.stringify(request.optimizer),
      () => new LstmOptimizer(request.optimizer, new Rng('shard')),
      (o) => o.dispose(),
    );
    const shardKey = `${request.taskSeed}|${request.instances}|${request.start}|${request.count}`;
    task = cached(
      task,
      shardKey,
      () => {
        const whole = family!.value.sample(new Rng(request.taskSeed), request.instances);
        const part = whole.subset!(request.start, request.count);
        whole.dispose();
        return part;
      },
      (t) => t.dispose(),
    );
    const learned = optimizer.value;
    learned.kernels = request.kernels;
    learned.setWeightValues(request.weights);
    const run = innerRunFromData(task.value, request.run);
    const n = task.value.numParams;
    const noise = new Rng(request.noiseSeed);
    const result = metaGradient(learned, run, {
      unroll: request.unroll,
      ...(request.stepWeights ? { weights: request.stepWeights } : {}),
      ...(request.objective ? { objective: request.objective } : {}),
      ...(request.secondOrder ? { secondOrder: true } : {}),
      ...(request.strategy ? { strategy: request.strategy } : {}),
      metaStep: request.metaStep,
      noiseFor: (step) => noise.child(step),
      coordinates: { start: request.start * n, total: request.instances * n },
    });
    const [metaLoss, ...grads] = await readTensors([result.metaLoss, ...result.gradients]);
    const out: MetaShardResult = {
      metaLoss: metaLoss![0]!,
      grads,
      next: await readInnerRun(result.next),
    };
    tf.dispose([result.metaLoss, ...result.gradients]);
    disposeInnerRun(run);
    disposeInnerRun(result.next);
    return out;
  },
} satisfies ShardHandlers;
