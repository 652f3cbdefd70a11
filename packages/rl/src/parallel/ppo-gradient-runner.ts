import {
  type RunnerPool,
  readTensors,
  shardedCall,
  type WorkerPool,
  weightedMean,
  weightedSum,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { GruPolicy } from '../agent/gru-policy.js';
import { type PpoSettings, selectTrialData, selectTrials } from '../agent/ppo.js';
import { type PpoGradients, type PpoHeads, ppoGradients } from '../agent/ppo-gradients.js';
import type { Rollout } from '../agent/rollout.js';
import type { PpoShardRequest, PpoShardResult } from './rl-shard-handlers.js';
import { rlRunnerPool, type rlWorkerPool } from './rl-worker-pool.js';

/** The trials of one PPO minibatch and the targets computed for the whole rollout. */
export interface PpoMinibatchSource {
  rollout: Rollout;
  trials: number[];
  advantages: Float32Array[];
  returns: Float32Array[];
}

/**
 * Computes PPO gradients of minibatches: on this thread (one worker), or with the trials split
 * across this thread and worker threads, each thread with its own backend, and the shards' gradients summed in shard
 * order (weighted by their share of the trials), so a seed and worker count always give the same
 * bits; 1 and N workers differ by float rounding only.
 */
export class PpoGradientRunner {
  private readonly workerPool: RunnerPool;

  /** `workers`: a thread count, or a pool shared with other runners ({@link rlWorkerPool}). */
  constructor(workers: number | WorkerPool) {
    this.workerPool = rlRunnerPool(workers);
  }

  /** Worker threads (1: none, all on this thread). */
  get workers(): number {
    return this.workerPool.size;
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
    const weights = await readTensors(network.variables);
    // Each shard's terms are means over its trials: weighted by the shard's share.
    const { results, shares } = await shardedCall<PpoShardResult>(
      this.workerPool.pool,
      'ppoGradients',
      trials.length,
      ({ start, count }): PpoShardRequest => ({
        shape: network.shape,
        kernels: network.kernels,
        weights,
        data: selectTrialData(rollout, trials.slice(start, start + count), advantages, returns),
        settings,
        heads,
      }),
    );
    const mean = (term: 'total' | 'policy' | 'value' | 'entropy') =>
      tf.scalar(
        weightedMean(
          results.map((r) => r[term]),
          shares,
        ),
      );
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
  dispose(): Promise<void> {
    return this.workerPool.dispose();
  }
}
