import { onInterrupt } from '../options.js';
import { exitCodeForSignal } from './exit-codes.js';
import type { TrainIo, TrainKind, TrainStatus } from './train-protocol.js';
import { trainWithDashboard } from './train-with-dashboard.js';

/**
 * Runs a training command the way the terminal calls for: with the Ink dashboard (training in a
 * worker thread) when stdin and stdout are TTYs, else in this process with plain progress lines or,
 * with `--json`, one JSON event per line. Ctrl-C or SIGTERM stops after the current `step` with a
 * checkpoint; a run so stopped before it completed exits 130 (SIGINT) or 143 (SIGTERM), so that a
 * scheduler can requeue it. Stopping with `q` in the dashboard is the user's choice and exits 0.
 */
export async function runTraining<E>(
  kind: TrainKind,
  plan: { json: boolean; tui: boolean },
  step: string,
  run: (io: TrainIo<E>) => Promise<TrainStatus>,
): Promise<void> {
  let signal: NodeJS.Signals | undefined;
  let status: TrainStatus;
  if (process.stdout.isTTY && process.stdin.isTTY && !plan.json && plan.tui) {
    ({ status, signal } = await trainWithDashboard(kind, plan));
  } else {
    let stop: (() => void) | undefined;
    const removeInterruptHandler = onInterrupt(step, (received) => {
      signal = received;
      stop?.();
    });
    try {
      status = await run({
        sinks: plan.json ? [{ emit: (e) => process.stdout.write(`${JSON.stringify(e)}\n`) }] : [],
        print: (text) => process.stdout.write(text),
        beforeStep: () => new Promise((resolve) => setImmediate(resolve)),
        onControls: (controls) => {
          stop = controls.stop;
        },
        plainProgress: !plan.json,
      });
    } finally {
      removeInterruptHandler();
    }
  }
  if (signal && status === 'stopped') process.exitCode = exitCodeForSignal(signal);
}
