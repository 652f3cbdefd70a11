/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Worker } from 'node:worker_threads';
import { render } from 'ink';
import { TrainApp } from '../dashboard/train-app.js';
import { writeStdout } from './stdout.js';
import type { StopCause } from './stop-requests.js';
import type { TrainerRef, TrainStatus } from './train-protocol.js';

/** An error that crossed the worker boundary, keeping its class name for the exit code. */
export class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * A training command on a terminal: training runs in a worker thread while the Ink dashboard renders here
 * and turns keys into commands (p pause, s checkpoint, q stop). The final report is printed after
 * the dashboard closes.
 */
export async function trainWithDashboard(
  trainer: TrainerRef,
  plan: object,
): Promise<{ status: TrainStatus; cause: StopCause | undefined }> {
  const worker = new Worker(new URL('./train-worker-entry.mjs', import.meta.url), {
    workerData: { ...trainer, plan },
  });
  const report: string[] = [];
  let failure: WorkerError | undefined;
  let status: TrainStatus = 'stopped';
  let cause: StopCause | undefined;
  // SIGTERM (kill, a scheduler) and SIGHUP (the terminal closed) stop like the first Ctrl-C: after
  // the current step, with a checkpoint.
  const onSignal = (signal: 'SIGTERM' | 'SIGHUP') => {
    cause ??= signal;
    worker.postMessage({ type: 'stop' });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  const app = render(
    <TrainApp
      worker={worker}
      onPrint={(text) => report.push(text)}
      onError={(name, message) => {
        failure = new WorkerError(name, message);
      }}
      onDone={(done) => {
        status = done;
      }}
      onInterrupt={() => {
        cause ??= 'SIGINT';
      }}
    />,
    { exitOnCtrlC: false },
  );
  await app.waitUntilExit();
  process.off('SIGTERM', onSignal);
  process.off('SIGHUP', onSignal);
  await worker.terminate();
  // Keeps its class name, which main.ts maps to the exit code.
  if (failure) throw failure;
  writeStdout(report.join(''));
  return { status, cause };
}
