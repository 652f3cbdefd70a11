/**
 * Runs a planned training command (validated in the main thread) off the UI thread: the
 * dashboard's keys and redraws stay responsive while tensors crunch. Commands arrive on the parent
 * port; events, report text and the outcome go back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadTrainerModule } from '../trainers/trainer-module.js';
import { trainerNamed } from '../trainers/trainer-registry.js';
import { runTrainer } from './run-trainer.js';
import type { TrainerRef, TrainIo, WorkerCommand, WorkerMessage } from './train-protocol.js';
import type { TrainerConfig, TrainingPlan } from './training-plan.js';

const port = parentPort!;
const send = (message: WorkerMessage) => port.postMessage(message);

let paused = false;
let wake: (() => void) | undefined;
let stop: (() => void) | undefined;
let checkpoint: (() => void) | undefined;

port.on('message', (command: WorkerCommand) => {
  if (command.type === 'pause') paused = true;
  if (command.type === 'resume' || command.type === 'stop') {
    paused = false;
    wake?.();
  }
  if (command.type === 'checkpoint') checkpoint?.();
  if (command.type === 'stop') stop?.();
});

try {
  // One set of hooks for every trainer; events are forwarded as they are, whatever their type.
  const io: TrainIo<never> = {
    sinks: [{ emit: (event) => send({ type: 'event', event }) }],
    print: (text) => send({ type: 'print', text }),
    beforeStep: async () => {
      // Yield to the message loop, then wait while paused.
      await new Promise((resolve) => setImmediate(resolve));
      while (paused) await new Promise<void>((resolve) => (wake = resolve));
    },
    onControls: (controls) => {
      stop = controls.stop;
      checkpoint = controls.checkpoint;
    },
    onStart: (info) => send({ type: 'start', ...info }),
    onReference: (reference) => send({ type: 'reference', reference }),
    plainProgress: false,
  };
  const { trainer, trainerModule, plan } = workerData as TrainerRef & { plan: TrainingPlan<TrainerConfig> };
  // A worker thread has its own module registry: a user's trainer is registered again here.
  if (trainerModule) await loadTrainerModule(trainerModule);
  const status = await runTrainer(trainerNamed(trainer), plan, io);
  send({ type: 'done', status });
} catch (error) {
  send({ type: 'error', name: (error as Error).name, message: (error as Error).message });
} finally {
  port.close();
}
