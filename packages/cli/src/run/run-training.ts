import { onInterrupt } from '../options.js';
import type { TrainIo, TrainKind } from './train-protocol.js';
import { trainWithDashboard } from './train-with-dashboard.js';

/**
 * Runs a training command the way the terminal calls for: with the Ink dashboard (training in a
 * worker thread) when stdin and stdout are TTYs, else in this process with plain progress lines or,
 * with `--json`, one JSON event per line. Ctrl-C stops after the current `step` and checkpoints.
 */
export async function runTraining<E>(
  kind: TrainKind,
  flags: { json?: boolean; tui?: boolean },
  step: string,
  run: (io: TrainIo<E>) => Promise<void>,
): Promise<void> {
  if (process.stdout.isTTY && process.stdin.isTTY && !flags.json && flags.tui !== false) {
    await trainWithDashboard(kind, flags);
    return;
  }
  let stop: (() => void) | undefined;
  const removeInterruptHandler = onInterrupt(step, () => stop?.());
  try {
    await run({
      sinks: flags.json ? [{ emit: (e) => process.stdout.write(`${JSON.stringify(e)}\n`) }] : [],
      print: (text) => process.stdout.write(text),
      beforeStep: () => new Promise((resolve) => setImmediate(resolve)),
      onControls: (controls) => {
        stop = controls.stop;
      },
      plainProgress: !flags.json,
    });
  } finally {
    removeInterruptHandler();
  }
}
