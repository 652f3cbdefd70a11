// The worker side of parallel meta-training: one truncation on a shard of the task batch, or
// evolution-strategies particles on the whole of it.
import { type KernelChoice, Rng, readTensors, type ShardHandlers } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { NamedWeight } from '../learned/coordinatewise-lstm.js';
import type { LearnedOptimizerConfig } from '../learned/learned-optimizer.js';
import { LstmOptimizer } from '../learned/lstm-optimizer.js';
import { disposeInnerRun, type MetaObjective, metaGradient, unrollForward } from '../meta/meta-gradient.js';
import { drawPerturbation, perturbed } from '../meta/weight-perturbation.js';
import { type TaskFamilySpec, taskFamilyFromSpec } from '../tasks/family-spec.js';
import type { Task, TaskFamily } from '../tasks/task.js';
import { type InnerRunData, innerRunFromData, readInnerRun } from './inner-run-data.js';
import { dropRuns, isResident, keepRun, keptRun, type RunKeeper, type ShippedRun } from './resident-runs.js';

/** What every request names: the family, the optimizer and its weights, and the task batch. */
interface ShardBase {
  family: TaskFamilySpec;
  optimizer: LearnedOptimizerConfig;
  kernels: KernelChoice;
  /** The learned optimizer's weights, by name. */
  weights: NamedWeight[];
  /** The task batch: its stream's seed and size. */
  taskSeed: string;
  instances: number;
}

/** One truncation's work for a worker, on the batch's instances [start, start + count). */
export interface MetaShardRequest extends ShardBase {
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

/** Evolution-strategies particles [start, start + count) of one truncation, on the whole batch. */
export interface EsShardRequest extends ShardBase {
  run: InnerRunData;
  unroll: number;
  objective: MetaObjective;
  metaStep: number;
  noiseSeed: string;
  /** Seed of the stream whose child `p` draws particle p's perturbation. */
  perturbationSeed: string;
  sigma: number;
  antithetic: boolean;
  start: number;
  count: number;
}

/**
 * Persistent-ES particles [start, start + count): their runs under φ ± ε, each advanced by one
 * truncation. With a `keeper` the worker keeps the advanced runs and returns references to them; a
 * run may then come as such a reference instead of as data.
 */
export interface PesShardRequest extends Omit<EsShardRequest, 'run' | 'antithetic'> {
  runs: { plus: ShippedRun; minus: ShippedRun }[];
  keeper?: RunKeeper;
}

/** A persistent-ES particle's truncation: its meta-losses and its advanced runs (as data, or kept on the worker). */
export interface PesParticleResult {
  plus: { metaLoss: number; next: ShippedRun };
  minus: { metaLoss: number; next: ShippedRun };
}

/** The persistent-ES particles [start, start + count) a keeper's runs belong to, all at `step`. */
export interface PesCollectRequest extends RunKeeper {
  start: number;
  count: number;
  step: number;
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

/**
 * The worker's family, optimizer (on the request's kernels, with its weights) and task: the whole
 * batch the request names, or its instances [start, start + count).
 */
function prepare(request: ShardBase, range?: { start: number; count: number }) {
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
  const taskKey = `${request.taskSeed}|${request.instances}|${range ? `${range.start}|${range.count}` : 'all'}`;
  task = cached(
    task,
    taskKey,
    () => {
      const whole = family!.value.sample(new Rng(request.taskSeed), request.instances);
      if (!range) return whole;
      const part = whole.subset!(range.start, range.count);
      whole.dispose();
      return part;
    },
    (t) => t.dispose(),
  );
  const learned = optimizer.value;
  learned.kernels = request.kernels;
  learned.setWeightValues(request.weights);
  return { learned, task: task.value };
}

/** A particle request's unroll options (with the truncation's noise) and its perturbation streams. */
function particleStreams(request: Omit<PesShardRequest, 'runs'>) {
  const noise = new Rng(request.noiseSeed);
  const options = {
    unroll: request.unroll,
    metaStep: request.metaStep,
    objective: request.objective,
    noiseFor: (step: number) => noise.child(step),
  };
  return { options, streams: new Rng(request.perturbationSeed) };
}

/** Frees the cached family, optimizer and task (a worker computing on its caller's thread is closed). */
export function releaseShardState(): void {
  family?.value.dispose();
  optimizer?.value.dispose();
  task?.value.dispose();
  family = undefined;
  optimizer = undefined;
  task = undefined;
}

export const shardHandlers = {
  metaGradient: async (request: MetaShardRequest): Promise<MetaShardResult> => {
    const { learned, task: shard } = prepare(request, request);
    const run = innerRunFromData(shard, request.run);
    const n = shard.numParams;
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

  /** Each particle's meta-loss at φ + ε (and at φ − ε when antithetic), in particle order. */
  esLosses: async (request: EsShardRequest): Promise<number[][]> => {
    const { learned, task: whole } = prepare(request);
    const run = innerRunFromData(whole, request.run);
    const { options, streams } = particleStreams(request);
    const losses: number[][] = [];
    try {
      for (let p = request.start; p < request.start + request.count; p++) {
        const epsilon = drawPerturbation(request.weights, request.sigma, streams.child(p));
        const signs = request.antithetic ? [1, -1] : [1];
        const particle: number[] = [];
        for (const sign of signs) {
          learned.setWeightValues(perturbed(request.weights, epsilon, sign));
          const { metaLoss, next } = await unrollForward(learned, run, options);
          disposeInnerRun(next);
          particle.push(metaLoss);
        }
        losses.push(particle);
      }
    } finally {
      disposeInnerRun(run);
    }
    return losses;
  },

  /** Each persistent-ES particle's runs under φ ± ε advanced by one truncation, in particle order. */
  pesAdvance: async (request: PesShardRequest): Promise<PesParticleResult[]> => {
    const { learned, task: whole } = prepare(request);
    const { options, streams } = particleStreams(request);
    const { keeper } = request;
    const advance = async (shipped: ShippedRun, key: string, weights: NamedWeight[]) => {
      learned.setWeightValues(weights);
      const resident = isResident(shipped);
      if (resident && !keeper)
        throw new Error(`particle run ${key} is sent as kept on a worker, but no keeper is named`);
      const run = resident
        ? { ...keptRun(keeper!, key, shipped.step), task: whole }
        : innerRunFromData(whole, shipped);
      const { metaLoss, next } = await unrollForward(learned, run, options);
      // A kept run is freed when its successor replaces it.
      if (!resident) disposeInnerRun(run);
      if (keeper) return { metaLoss, next: keepRun(keeper, key, next) };
      try {
        return { metaLoss, next: await readInnerRun(next) };
      } finally {
        disposeInnerRun(next);
      }
    };
    const results: PesParticleResult[] = [];
    for (const [i, runs] of request.runs.entries()) {
      const p = request.start + i;
      const epsilon = drawPerturbation(request.weights, request.sigma, streams.child(p));
      results.push({
        plus: await advance(runs.plus, `${p}/plus`, perturbed(request.weights, epsilon, 1)),
        minus: await advance(runs.minus, `${p}/minus`, perturbed(request.weights, epsilon, -1)),
      });
    }
    return results;
  },

  /** A keeper's particle runs kept on this worker, as data, in particle order (they stay kept). */
  pesCollect: async (request: PesCollectRequest): Promise<{ plus: InnerRunData; minus: InnerRunData }[]> => {
    const collected = [];
    for (let p = request.start; p < request.start + request.count; p++) {
      collected.push({
        plus: await readInnerRun(keptRun(request, `${p}/plus`, request.step)),
        minus: await readInnerRun(keptRun(request, `${p}/minus`, request.step)),
      });
    }
    return collected;
  },

  /** Frees the particle runs an estimator keeps on this worker. */
  pesRelease: (request: { owner: string }): null => {
    dropRuns(request.owner);
    return null;
  },
} satisfies ShardHandlers;
