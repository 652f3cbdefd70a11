import { type RunnerPool, readTensors, shardedCall, type WorkerPool, weightedMean } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { GruPolicy } from '../agent/gru-policy.js';
import { selectTrialData, selectTrials } from '../agent/ppo.js';
import type { Rollout } from '../agent/rollout.js';
import {
  type TrpoObjective,
  TrpoProblem,
  type TrpoSettings,
  type TrpoStepReport,
  trpoStep,
} from '../agent/trpo.js';
import type { TrpoShardRequest, TrpoShardStart } from './rl-shard-handlers.js';
import { rlRunnerPool, type rlWorkerPool } from './rl-worker-pool.js';

/** The trials of a TRPO step: a whole rollout, its advantages, and the trials Fisher products use. */
export interface TrpoSource {
  rollout: Rollout;
  advantages: Float32Array[];
  /** Indices of the trials Fisher-vector products average over (increasing); absent: all. */
  fisherTrials?: number[];
}

/**
 * Takes TRPO steps on this thread (one worker), or with the trials split across this thread and
 * worker threads: each worker holds its shard's problem for the whole step, and this thread combines the
 * shards' gradients, Fisher-vector products, KLs and gains in shard order, weighted by their share
 * of the steps (of the Fisher steps for products). 1 and N workers differ by float rounding only.
 */
export class TrpoRunner {
  private readonly workerPool: RunnerPool;
  /** Names this runner's steps to the workers, which may serve other runners' steps between its requests. */
  private readonly session = globalThis.crypto.randomUUID();

  /** `workers`: a thread count, or a pool shared with other runners ({@link rlWorkerPool}). */
  constructor(workers: number | WorkerPool) {
    this.workerPool = rlRunnerPool(workers);
  }

  /** One TRPO step of `policy` (see {@link trpoStep}); an accepted step moves `policy`. */
  async step(policy: GruPolicy, source: TrpoSource, settings: TrpoSettings): Promise<TrpoStepReport> {
    const { rollout, advantages, fisherTrials } = source;
    const all = Array.from({ length: rollout.batch }, (_, i) => i);
    // A PPO minibatch's layout carries the trials; TRPO reads no returns, so the advantages fill that slot.
    const { pool } = this.workerPool;
    if (this.workerPool.size === 1) {
      const batch = selectTrials(rollout, all, advantages, advantages);
      const problem = await TrpoProblem.create(policy, batch, fisherTrials);
      try {
        return await trpoStep(policy, problem, settings);
      } finally {
        problem.dispose();
        tf.dispose(Object.values(batch));
      }
    }
    const weights = await readTensors(policy.variables);
    // Each worker keeps its shard's problem until the step ends.
    const { results: starts, shares } = await shardedCall<TrpoShardStart>(
      pool,
      'trpoStart',
      rollout.batch,
      ({ start, count }): TrpoShardRequest => ({
        session: this.session,
        shape: policy.shape,
        kernels: policy.kernels,
        weights,
        data: selectTrialData(rollout, all.slice(start, start + count), advantages, advantages),
        ...(fisherTrials && {
          fisherTrials: fisherTrials.filter((t) => t >= start && t < start + count).map((t) => t - start),
        }),
      }),
    );
    try {
      return await trpoStep(policy, shardedObjective(pool, this.session, starts, shares), settings);
    } finally {
      await pool.call(
        'trpoEnd',
        starts.map(() => ({ session: this.session })),
      );
    }
  }

  /** Stops the worker threads (of a pool it started itself). */
  dispose(): Promise<void> {
    return this.workerPool.dispose();
  }
}

/** Σ_s share_s · x_s over the shards' vectors. */
function weighted(parts: Float64Array[], shares: number[]): Float64Array {
  const out = new Float64Array(parts[0]!.length);
  parts.forEach((part, s) => {
    const share = shares[s]!;
    if (share === 0) return;
    for (let i = 0; i < out.length; i++) out[i]! += share * part[i]!;
  });
  return out;
}

/** The objective whose quantities the workers compute on their shards, combined here. */
function shardedObjective(
  pool: WorkerPool,
  session: string,
  starts: TrpoShardStart[],
  shares: number[],
): TrpoObjective {
  const fisherTotal = starts.reduce((sum, s) => sum + s.fisherTrials, 0);
  const fisherShares = starts.map((s) => s.fisherTrials / fisherTotal);
  const each = <T>(method: string, request: unknown) =>
    pool.call<T>(
      method,
      starts.map(() => request),
    );
  return {
    surrogateGradient: () =>
      weighted(
        starts.map((s) => s.gradient),
        shares,
      ),
    entropy: () =>
      weightedMean(
        starts.map((s) => s.entropy),
        shares,
      ),
    fisherVectorProduct: async (v, damping) =>
      weighted(await each<Float64Array>('trpoFisher', { session, v, damping }), fisherShares),
    evaluate: async (step) => {
      const parts = await each<{ kl: number; gain: number }>('trpoEvaluate', { session, step });
      return {
        kl: weightedMean(
          parts.map((p) => p.kl),
          shares,
        ),
        gain: weightedMean(
          parts.map((p) => p.gain),
          shares,
        ),
      };
    },
  };
}
