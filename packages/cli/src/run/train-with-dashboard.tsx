/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Worker } from 'node:worker_threads';
import { render } from 'ink';
import { TrainApp } from '../dashboard/train-app.js';
import type { TrainKind, TrainStatus } from './train-protocol.js';

/** An error that crossed the worker boundary, keeping its class name for the exit code. */
export class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * `l2l train` or `rl2 train` on a terminal: training runs in a worker thread while the Ink dashboard renders here
 * and turns keys into commands (p pause, s checkpoint, q stop). The final report is printed after
 * the dashboard closes.
 */
export async function trainWithDashboard(
  kind: TrainKind,
  plan: object,
): Promise<{ status: TrainStatus; signal: NodeJS.Signals | undefined }> {
  const worker = new Worker(new URL('./train-worker-entry.mjs', import.meta.url), {
    workerData: { kind, plan },
  });
  const report: string[] = [];
  let failure: WorkerError | undefined;
  let status: TrainStatus = 'stopped';
  let signal: NodeJS.Signals | undefined;
  // SIGTERM (kill, a scheduler) stops like the first Ctrl-C: after the current step, with a checkpoint.
  const onTerm = () => {
    signal = 'SIGTERM';
    worker.postMessage({ type: 'stop' });
  };
  process.on('SIGTERM', onTerm);
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
        signal ??= 'SIGINT';
      }}
    />,
    { exitOnCtrlC: false },
  );
  await app.waitUntilExit();
  process.off('SIGTERM', onTerm);
  await worker.terminate();
  // Keeps its class name, which main.ts maps to the exit code.
  if (failure) throw failure;
  process.stdout.write(report.join(''));
  return { status, signal };
}
