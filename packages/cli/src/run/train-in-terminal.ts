import type { TrainEvent } from '@metagrad/core';
import type { AnyTrainer } from '../trainers/trainer-registry.js';
import { exitCodeForStop } from './exit-codes.js';
import { runTrainer } from './run-trainer.js';
import { writeStdout } from './stdout.js';
import { onStopRequest, type StopCause } from './stop-requests.js';
import type { TrainStatus } from './train-protocol.js';
import { trainWithDashboard } from './train-with-dashboard.js';
import type { TrainerConfig, TrainingPlan } from './training-plan.js';

/**
 * Runs a planned training run the way the terminal calls for: with the Ink dashboard (training in a
 * worker thread, which loads `trainerModule` for a user's trainer) when stdin and stdout are TTYs,
 * else in this process with plain progress lines or, with `--json`, one JSON event per line.
 * Ctrl-C, SIGTERM, SIGHUP or a closed output pipe stops after the current step with a checkpoint; a
 * run so stopped before it completed exits 130, 143, 129 or 141 (see exit-codes.ts), so that a
 * scheduler can requeue it. Stopping with `q` in the dashboard is the user's choice and exits 0.
 */
export async function trainInTerminal(
  trainer: AnyTrainer,
  plan: TrainingPlan<TrainerConfig>,
  trainerModule?: string,
): Promise<void> {
  let cause: StopCause | undefined;
  let status: TrainStatus;
  if (process.stdout.isTTY && process.stdin.isTTY && !plan.json && plan.tui) {
    const ref = { trainer: trainer.name, ...(trainerModule && { trainerModule }) };
    ({ status, cause } = await trainWithDashboard(ref, plan));
  } else {
    let stop: (() => void) | undefined;
    const removeStopHandler = onStopRequest(trainer.unit, (received) => {
      cause = received;
      stop?.();
    });
    try {
      status = await runTrainer(trainer, plan, {
        sinks: plan.json ? [{ emit: (e: TrainEvent) => writeStdout(`${JSON.stringify(e)}\n`) }] : [],
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
