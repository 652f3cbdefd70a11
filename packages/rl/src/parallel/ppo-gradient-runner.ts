import { shardRanges, type WorkerPool, weightedSum } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { GruPolicy } from '../agent/gru-policy.js';
import { type PpoSettings, selectTrialData, selectTrials } from '../agent/ppo.js';
import { type PpoGradients, type PpoHeads, ppoGradients } from '../agent/ppo-gradients.js';
import type { Rollout } from '../agent/rollout.js';
import type { PpoShardRequest, PpoShardResult } from './rl-shard-handlers.js';
import { type rlWorkerPool, runnerPool } from './rl-worker-pool.js';

/** The trials of one PPO minibatch and the targets computed for the whole rollout. */
export interface PpoMinibatchSource {
  rollout: Rollout;
  trials: number[];
  advantages: Float32Array[];
  returns: Float32Array[];
}

/**
 * Computes PPO gradients of minibatches: on this thread (one worker), or with the trials split
 * across worker threads, each with its own backend, and the shards' gradients summed in shard
 * order (weighted by their share of the trials), so a seed and worker count always give the same
 * bits; 1 and N workers differ by float rounding only.
 */
export class PpoGradientRunner {
  private readonly pool: WorkerPool;
  private readonly ownsPool: boolean;

  /** `workers`: a thread count, or a pool shared with other runners ({@link rlWorkerPool}). */
  constructor(workers: number | WorkerPool) {
    ({ pool: this.pool, owned: this.ownsPool } = runnerPool(workers));
  }

  /** Worker threads (1: none, all on this thread). */
  get workers(): number {
    return this.pool.size;
  }

  async gradients(
    network: GruPolicy,
    source: PpoMinibatchSource,
    settings: PpoSettings,
    heads: PpoHeads,
  ): Promise<PpoGradients> {
    const { rollout, trials, advantages, returns } = source;
    if (this.workers === 1) {
      const minibatch = selectTrials(rollout, trials, advantages, returns);
      const out = ppoGradients(network, minibatch, settings, heads);
      tf.dispose(Object.values(minibatch));
      return out;
    }
    const weights = network.variables.map((v) => v.dataSync() as Float32Array);
    const ranges = shardRanges(trials.length, this.workers);
    const requests: PpoShardRequest[] = ranges.map(({ start, count }) => ({
      shape: network.shape,
      kernels: network.kernels,
      weights,
      data: selectTrialData(rollout, trials.slice(start, start + count), advantages, returns),
      settings,
      heads,
    }));
    const results = await this.pool.call<PpoShardResult>('ppoGradients', requests);
    // Each shard's terms are means over its trials: weight them by the shard's share.
    const shares = ranges.map(({ count }) => count / trials.length);
    const mean = (term: 'total' | 'policy' | 'value' | 'entropy') =>
      tf.scalar(results.reduce((sum, r, s) => sum + shares[s]! * r[term], 0));
    const grads: Record<string, tf.Tensor> = {};
    network.variables.forEach((v, i) => {
      grads[v.name] = tf.tensor(
        weightedSum(
          results.map((r) => r.grads[i]!),
          shares,
        ),
        v.shape,
      );
    });
    return {
      total: mean('total'),
      policy: mean('policy'),
      value: mean('value'),
      entropy: mean('entropy'),
      grads,
    };
  }

  /** Stops the worker threads (of a pool it started itself). */
  async dispose(): Promise<void> {
    if (this.ownsPool) await this.pool.dispose();
  }
}
