import { siblingModule, WorkerPool } from '@metagrad/core';

/**
 * The gradient workers of RL² training: `workers` threads serving the PPO and TRPO shard handlers
 * (`rl-shard-handlers`), shared by {@link PpoGradientRunner} and {@link TrpoRunner} so one run
 * starts one set of threads.
 */
export function rlWorkerPool(workers: number): WorkerPool {
  return new WorkerPool(workers, siblingModule('rl-shard-handlers', import.meta.url));
}

/** The pool a runner uses: one it starts for `workers` threads (and stops), or one it is given (and leaves). */
export function runnerPool(workers: number | WorkerPool): { pool: WorkerPool; owned: boolean } {
  return typeof workers === 'number'
    ? { pool: rlWorkerPool(workers), owned: true }
    : { pool: workers, owned: false };
}
