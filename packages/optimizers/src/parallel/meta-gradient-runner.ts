import { type RunnerPool, shardedCall, type WorkerPool, weightedMean, weightedSum } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { LearnedOptimizer } from '../learned/learned-optimizer.js';
import {
  type InnerRun,
  type MetaGradientOptions,
  type MetaGradientResult,
  metaGradient,
} from '../meta/meta-gradient.js';
import type { TaskFamily } from '../tasks/task.js';
import { innerRunShard, joinInnerRun, readInnerRun } from './inner-run-data.js';
import type { MetaShardRequest, MetaShardResult } from './meta-shard-handlers.js';
import { metaRunnerPool } from './meta-worker-pool.js';

/** Where a meta-step's tasks and noise come from, so that workers can draw the same ones. */
export interface MetaShardSource {
  family: TaskFamily;
  /** Seed of the stream the run's task was sampled with. */
  taskSeed: string;
  /** Seed of the stream whose child `step` is the noise of inner step `step`. */
  noiseSeed: string;
}

/** Whether a family's batches can be split across workers (it has a spec and its tasks a subset). */
export function canShard(family: TaskFamily, task: { subset?: unknown }): boolean {
  return typeof family.spec === 'function' && typeof task.subset === 'function';
}

/**
 * Computes meta-gradients: on this thread (one worker), or with the task batch split into contiguous
 * shards of instances across this thread and worker threads, each thread with its own backend. The inner run stays here
 * (a checkpoint sees all of it) and travels with each request; the shards' meta-losses and
 * gradients are means over their instances, summed in shard order weighted by their share. The same
 * seed and worker count give the same bits; 1 and N workers differ by float rounding only.
 */
export class MetaGradientRunner {
  private readonly workerPool: RunnerPool;

  /** `workers`: a thread count, or a pool of meta-shard handlers shared with other runners. */
  constructor(workers: number | WorkerPool) {
    this.workerPool = metaRunnerPool(workers);
  }

  /** Worker threads (1: none, all on this thread). */
  get workers(): number {
    return this.workerPool.size;
  }

  async metaGradient(
    optimizer: LearnedOptimizer,
    run: InnerRun,
    options: MetaGradientOptions,
    source: MetaShardSource,
  ): Promise<MetaGradientResult> {
    if (this.workers === 1) return metaGradient(optimizer, run, options);
    if (!canShard(source.family, run.task)) {
      throw new Error(
        `the ${source.family.name} family cannot be split across workers (no spec() or subset())`,
      );
    }
    const instances = run.task.numInstances;
    const [weights, whole] = await Promise.all([optimizer.weightValues(), readInnerRun(run)]);
    const { results, shares } = await shardedCall<MetaShardResult>(
      this.workerPool.pool,
      'metaGradient',
      instances,
      ({ start, count }): MetaShardRequest => ({
        family: source.family.spec!(),
        optimizer: optimizer.config(),
        kernels: optimizer.kernels,
        weights,
        taskSeed: source.taskSeed,
        instances,
        start,
        count,
        run: innerRunShard(whole, run.task.numParams, start, count),
        unroll: options.unroll,
        ...(options.weights ? { stepWeights: options.weights } : {}),
        ...(options.objective ? { objective: options.objective } : {}),
        ...(options.secondOrder ? { secondOrder: true } : {}),
        ...(options.strategy ? { strategy: options.strategy } : {}),
        metaStep: options.metaStep,
        noiseSeed: source.noiseSeed,
      }),
    );
    return {
      metaLoss: tf.scalar(
        weightedMean(
          results.map((r) => r.metaLoss),
          shares,
        ),
      ),
      gradients: optimizer.variables.map((v, i) =>
        tf.tensor(
          weightedSum(
            results.map((r) => r.grads[i]!),
            shares,
          ),
          v.shape,
        ),
      ),
      next: joinInnerRun(
        run.task,
        results.map((r) => r.next),
      ),
    };
  }

  /** Stops the worker threads (of a pool it started itself). */
  dispose(): Promise<void> {
    return this.workerPool.dispose();
  }
}
