import { type NamedValues, type RunnerPool, shardedCall, type WorkerPool } from '@metagrad/core';
import type { LearnedOptimizer } from '../learned/learned-optimizer.js';
import type { InnerRun, MetaObjective } from '../meta/meta-gradient.js';
import type { TaskFamily } from '../tasks/task.js';
import type { InnerRunData } from './inner-run-data.js';
import { canShard } from './meta-gradient-runner.js';
import type {
  EsShardRequest,
  PesCollectRequest,
  PesParticleResult,
  PesShardRequest,
} from './meta-shard-handlers.js';
import { metaRunnerPool } from './meta-worker-pool.js';
import type { RunKeeper, ShippedRun } from './resident-runs.js';

/** One truncation's evolution-strategies particles, as {@link EsParticleRunner.losses} evaluates them. */
export interface EsParticles {
  optimizer: LearnedOptimizer;
  /** The optimizer's weights φ (the unperturbed ones). */
  weights: NamedValues[];
  run: InnerRun;
  unroll: number;
  metaStep: number;
  objective: MetaObjective;
  noiseSeed: string;
  family: TaskFamily;
  taskSeed: string;
  /** Seed of the stream whose child `p` draws particle p's perturbation. */
  perturbationSeed: string;
  particles: number;
  sigma: number;
  antithetic: boolean;
}

/**
 * Evaluates evolution-strategies particles on gradient workers: the particles are split into
 * contiguous ranges, and each worker rebuilds the task batch, the inner run and every perturbation
 * from their seeds and unrolls them forward. Each particle's loss is the same computation as on the
 * training thread, so the estimate does not depend on the worker count.
 */
export class EsParticleRunner {
  private readonly workerPool: RunnerPool;

  /** `workers`: a thread count, or a pool of meta-shard handlers shared with other runners. */
  constructor(workers: number | WorkerPool) {
    this.workerPool = metaRunnerPool(workers);
  }

  /** Whether these particles go to workers: there are several, and the family can be rebuilt there. */
  serves(family: TaskFamily, run: InnerRun): boolean {
    return this.workerPool.size > 1 && canShard(family, run.task);
  }

  /**
   * Each particle's meta-loss at φ + ε (and at φ − ε when antithetic), in particle order. `run` is
   * `p.run` read as data beforehand, so that the requests leave at once and this thread can compute
   * meanwhile.
   */
  async losses(p: EsParticles, run: InnerRunData): Promise<number[][]> {
    const { results } = await shardedCall<number[][]>(
      this.workerPool.pool,
      'esLosses',
      p.particles,
      ({ start, count }): EsShardRequest => ({
        ...this.base(p, start, count),
        run,
        antithetic: p.antithetic,
      }),
    );
    return results.flat();
  }

  /**
   * Whether persistent-ES particles' runs may stay on the workers between truncations: each worker is
   * one thread of this process (not a remote queue's process), so a run is where it was left.
   */
  get keepsRuns(): boolean {
    return this.workerPool.pool.keepsWorkerState;
  }

  /**
   * Persistent-ES particles: each particle's runs under φ ± ε (`runs`, as data or kept on a worker),
   * advanced by one truncation on the workers, with their meta-losses, in particle order. With a
   * `keeper` (only where {@link keepsRuns}) the advanced runs stay on the workers.
   */
  async advance(
    p: Omit<EsParticles, 'antithetic'>,
    runs: { plus: ShippedRun; minus: ShippedRun }[],
    keeper?: RunKeeper,
  ): Promise<PesParticleResult[]> {
    const { results } = await shardedCall<PesParticleResult[]>(
      this.workerPool.pool,
      'pesAdvance',
      p.particles,
      ({ start, count }): PesShardRequest => ({
        ...this.base(p, start, count),
        runs: runs.slice(start, start + count),
        ...(keeper && { keeper }),
      }),
    );
    return results.flat();
  }

  /**
   * The runs of `particles` persistent-ES particles at `step` that `keeper` keeps on the workers, as
   * data, in particle order: each from the worker that advanced it (the same split as
   * {@link advance}). They stay kept.
   */
  async collect(
    keeper: RunKeeper,
    particles: number,
    step: number,
  ): Promise<{ plus: InnerRunData; minus: InnerRunData }[]> {
    const { results } = await shardedCall<{ plus: InnerRunData; minus: InnerRunData }[]>(
      this.workerPool.pool,
      'pesCollect',
      particles,
      ({ start, count }): PesCollectRequest => ({ ...keeper, start, count, step }),
    );
    return results.flat();
  }

  /** Frees the runs `owner` keeps on the workers. */
  async release(owner: string): Promise<void> {
    await this.workerPool.pool.call('pesRelease', Array(this.workerPool.pool.size).fill({ owner }));
  }

  /**
   * What every particle request names: the family, the optimizer and its weights, the task batch,
   * the truncation, and the particles [start, start + count) with their perturbations' stream.
   */
  private base(p: Omit<EsParticles, 'antithetic'>, start: number, count: number) {
    return {
      unroll: p.unroll,
      objective: p.objective,
      metaStep: p.metaStep,
      noiseSeed: p.noiseSeed,
      perturbationSeed: p.perturbationSeed,
      sigma: p.sigma,
      start,
      count,
      family: p.family.spec!(),
      optimizer: p.optimizer.config(),
      kernels: p.optimizer.kernels,
      weights: p.weights,
      taskSeed: p.taskSeed,
      instances: p.run.task.numInstances,
    };
  }

  /** Stops the workers (of a pool it started itself). */
  dispose(): Promise<void> {
    return this.workerPool.dispose();
  }
}
