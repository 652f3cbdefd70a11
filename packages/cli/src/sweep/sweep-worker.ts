import { fileURLToPath } from 'node:url';
import { siblingModule } from '@metagrad/core';
import { Worker } from 'bullmq';
import { queueConnection, type RedisTarget } from '../redis/redis-url.js';
import { RUNS_ROOT_VARIABLE } from './sweep-job.js';
import { SWEEP_QUEUE, type SweepJobData, type SweepJobResult } from './sweep-queue.js';

/** How a sweep worker takes jobs. */
export interface SweepWorkerOptions {
  /** Where run directories go: `<runsRoot>/<sweep>/<run id>` (shared storage across machines). */
  runsRoot: string;
  /** Runs trained at once, each in its own process. */
  concurrency: number;
  /**
   * Seconds a job's lock lasts without renewal: how soon a dead worker's run is taken up by
   * another. The worker renews it every half of this while it is alive.
   */
  lockSeconds: number;
}

/**
 * A BullMQ worker on the sweep queue whose processor is sandboxed: each run trains in a child
 * process (the processor file below), so the worker's own event loop is free to renew locks. A
 * job whose worker died is found stalled when its lock expires and goes back to the queue, up to
 * ten times before BullMQ gives up on it.
 */
export function startSweepWorker(
  target: RedisTarget,
  options: SweepWorkerOptions,
): Worker<SweepJobData, SweepJobResult> {
  const processor = siblingModule('sweep-job-processor', import.meta.url);
  const fromSource = processor.endsWith('.ts');
  const lockDuration = options.lockSeconds * 1000;
  return new Worker<SweepJobData, SweepJobResult>(SWEEP_QUEUE, fileURLToPath(processor), {
    connection: queueConnection(target),
    concurrency: options.concurrency,
    lockDuration,
    stalledInterval: Math.max(1000, lockDuration / 2),
    maxStalledCount: 10,
    workerForkOptions: {
      env: { ...process.env, [RUNS_ROOT_VARIABLE]: options.runsRoot },
      // From source, the child compiles TypeScript with tsx's loader, found from this package.
      ...(fromSource &&
        !process.execArgv.some((arg) => arg.includes('tsx')) && {
          execArgv: [...process.execArgv, '--import', import.meta.resolve('tsx')],
        }),
    },
  });
}
