import { exitCodeForStop } from './exit-codes.js';
import { writeStdout } from './stdout.js';
import { onStopRequest, type StopCause } from './stop-requests.js';
import type { TrainIo, TrainKind, TrainStatus } from './train-protocol.js';
import { trainWithDashboard } from './train-with-dashboard.js';

/**
 * Runs a training command the way the terminal calls for: with the Ink dashboard (training in a
 * worker thread) when stdin and stdout are TTYs, else in this process with plain progress lines or,
 * with `--json`, one JSON event per line. Ctrl-C, SIGTERM, SIGHUP or a closed output pipe stops
 * after the current `step` with a checkpoint; a run so stopped before it completed exits 130, 143,
 * 129 or 141 (see exit-codes.ts), so that a scheduler can requeue it. Stopping with `q` in the
 * dashboard is the user's choice and exits 0.
 */
export async function runTraining<E>(
  kind: TrainKind,
  plan: { json: boolean; tui: boolean },
  step: string,
  run: (io: TrainIo<E>) => Promise<TrainStatus>,
): Promise<void> {
  let cause: StopCause | undefined;
  let status: TrainStatus;
  if (process.stdout.isTTY && process.stdin.isTTY && !plan.json && plan.tui) {
    ({ status, cause } = await trainWithDashboard(kind, plan));
  } else {
    let stop: (() => void) | undefined;
    const removeStopHandler = onStopRequest(step, (received) => {
      cause = received;
      stop?.();
    });
    try {
      status = await run({
        sinks: plan.json ? [{ emit: (e) => writeStdout(`${JSON.stringify(e)}\n`) }] : [],
        print: writeStdout,
        beforeStep: () => new Promise((resolve) => setImmediate(resolve)),
        onControls: (controls) => {
          stop = controls.stop;
        },
        plainProgress: !plan.json,
      });
    } finally {
      removeStopHandler();
    }
  }
  if (cause && status === 'stopped') process.exitCode = exitCodeForStop(cause);
}
