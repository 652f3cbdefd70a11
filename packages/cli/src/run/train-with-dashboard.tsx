/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Worker } from 'node:worker_threads';
import { ConfigError } from '@metagrad/core';
import { render } from 'ink';
import { TrainApp } from '../dashboard/train-app.js';
import type { TrainKind } from './train-protocol.js';

/** An error that crossed the worker boundary, keeping its class name for the exit code. */
export class WorkerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const BAD_INPUT = new Set(['ConfigError', 'CheckpointError', 'SavedOptimizerError', 'IdxFormatError']);

/**
 * `l2l train` or `rl2 train` on a terminal: training runs in a worker thread while the Ink dashboard renders here
 * and turns keys into commands (p pause, s checkpoint, q stop). The final report is printed after
 * the dashboard closes.
 */
export async function trainWithDashboard(kind: TrainKind, flags: object): Promise<void> {
  const worker = new Worker(new URL('./train-worker-entry.mjs', import.meta.url), {
    workerData: { kind, flags },
  });
  const report: string[] = [];
  let failure: WorkerError | undefined;
  const width = Math.min(process.stdout.columns ?? 100, 140);
  const app = render(
    <TrainApp
      worker={worker}
      width={width}
      onPrint={(text) => report.push(text)}
      onError={(name, message) => {
        failure = new WorkerError(name, message);
      }}
    />,
    { exitOnCtrlC: false },
  );
  await app.waitUntilExit();
  await worker.terminate();
  if (failure) {
    // Re-raise as the class main.ts maps to exit code 2 when it was bad input.
    if (BAD_INPUT.has(failure.name)) throw new ConfigError('input', undefined, failure.message);
    throw failure;
  }
  process.stdout.write(report.join(''));
}
