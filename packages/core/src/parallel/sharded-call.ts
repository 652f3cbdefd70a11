import { shardRanges } from './shard-protocol.js';
import { WorkerPool } from './worker-pool.js';

/** One contiguous shard of a batch: its first item and how many. */
export interface ShardRange {
  start: number;
  count: number;
}

/** What {@link shardedCall} returns: each shard's result, range and share of the batch, in shard order. */
export interface ShardedResults<R> {
  results: R[];
  ranges: ShardRange[];
  /** Each shard's items over the batch's: the weights its mean-valued results are combined with. */
  shares: number[];
}

/**
 * Splits a batch of `total` items into the pool's contiguous shards ({@link shardRanges}), sends
 * each shard its request (`requestFor` its range) as `method`, and returns the results in shard
 * order with each shard's share: the shard-and-average step every parallel runner takes (a
 * meta-step's task instances, a PPO minibatch's trials, a TRPO step's trials).
 */
export async function shardedCall<R>(
  pool: WorkerPool,
  method: string,
  total: number,
  requestFor: (range: ShardRange) => unknown,
): Promise<ShardedResults<R>> {
  const ranges = shardRanges(total, pool.size);
  const results = await pool.call<R>(method, ranges.map(requestFor));
  return { results, ranges, shares: ranges.map(({ count }) => count / total) };
}

/**
 * Σ_s share_s · value_s in shard order, from 0, in float64: the mean over the whole batch of
 * per-shard means (the same inputs always give the same bits).
 */
export function weightedMean(values: readonly number[], shares: readonly number[]): number {
  return values.reduce((sum, value, s) => sum + shares[s]! * value, 0);
}

/**
 * The workers a runner computes on: a pool it was given, shared with other runners and left running
 * when it is done, or one it starts itself for `workers` threads serving `handlersModule` and stops.
 */
export class RunnerPool {
  readonly pool: WorkerPool;
  private readonly owned: boolean;

  constructor(workers: number | WorkerPool, handlersModule: string) {
    this.owned = typeof workers === 'number';
    this.pool = typeof workers === 'number' ? new WorkerPool(workers, handlersModule) : workers;
  }

  /** Worker threads that compute on the active backend (1: none, all on the caller's thread). */
  get size(): number {
    return this.pool.active;
  }

  /** Stops the workers if this runner started them. */
  async dispose(): Promise<void> {
    if (this.owned) await this.pool.dispose();
  }
}
