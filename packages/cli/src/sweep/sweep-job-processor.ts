// BullMQ's sandboxed processor for sweep jobs: a child process of `metagrad worker` that trains one
// run at a time, so that training never blocks the worker's lock renewal.
import type { SandboxedJob } from 'bullmq';
import { quietCpuBackend } from '../run/backend-choice.js';
import { RUNS_ROOT_VARIABLE, runSweepJob } from './sweep-job.js';
import type { SweepJobData, SweepJobResult } from './sweep-queue.js';

quietCpuBackend();
let stopTraining: (() => void) | undefined;
// The worker shutting down: stop after the current step with a checkpoint; the job is retried and resumed.
process.on('SIGTERM', () => stopTraining?.());
// The worker was killed: its children must not train on without it, holding the run's lock.
process.on('disconnect', () => process.exit(1));

export default async function processSweepJob(job: SandboxedJob<SweepJobData, SweepJobResult>) {
  const root = process.env[RUNS_ROOT_VARIABLE];
  if (!root) throw new Error(`${RUNS_ROOT_VARIABLE} is not set: sweep jobs run under metagrad worker`);
  return runSweepJob(job.data, root, {
    progress: (progress) => job.updateProgress(progress),
    onStop: (stop) => {
      stopTraining = stop;
    },
  });
}
