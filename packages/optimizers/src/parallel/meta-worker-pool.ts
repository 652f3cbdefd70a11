import { RunnerPool, siblingModule, WorkerPool } from '@metagrad/core';

/** The module meta-training's gradient workers load: what a remote gradient worker serves for L2L runs. */
export const META_SHARD_HANDLERS = siblingModule('meta-shard-handlers', import.meta.url);

/**
 * The gradient workers of meta-training: `workers` threads serving the meta-shard handlers (a
 * truncation's shard of the task batch, or evolution-strategies particles), to share between
 * {@link MetaGradientRunner} and {@link EsParticleRunner} or to start once and reuse.
 */
export function metaWorkerPool(workers: number): WorkerPool {
  return new WorkerPool(workers, META_SHARD_HANDLERS);
}

/** The pool a runner uses: one it starts for `workers` threads (and stops), or one it is given (and leaves). */
export function metaRunnerPool(workers: number | WorkerPool): RunnerPool {
  return new RunnerPool(workers, META_SHARD_HANDLERS);
}
