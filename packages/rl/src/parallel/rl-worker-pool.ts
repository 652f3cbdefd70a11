import { RunnerPool, siblingModule, WorkerPool } from '@metagrad/core';

/** The module RL² gradient workers load: what a remote gradient worker serves for RL² runs. */
export const RL_SHARD_HANDLERS = siblingModule('rl-shard-handlers', import.meta.url);

/**
 * The gradient workers of RL² training: `workers` threads serving the PPO and TRPO shard handlers
 * (`rl-shard-handlers`), shared by {@link PpoGradientRunner} and {@link TrpoRunner} so one run
 * starts one set of threads.
 */
export function rlWorkerPool(workers: number): WorkerPool {
  return new WorkerPool(workers, RL_SHARD_HANDLERS);
}

/** The pool a runner uses: one it starts for `workers` threads (and stops), or one it is given (and leaves). */
export function rlRunnerPool(workers: number | WorkerPool): RunnerPool {
  return new RunnerPool(workers, RL_SHARD_HANDLERS);
}
