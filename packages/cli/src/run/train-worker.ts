/**
 * Runs `l2l train` off the UI thread: the dashboard's keys and redraws stay responsive while
 * tensors crunch. Commands arrive on the parent port; events, report text and the outcome go back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runL2lTrain, type TrainFlags } from '../commands/l2l-train.js';
import type { WorkerCommand, WorkerMessage } from './train-protocol.js';

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
  await runL2lTrain(workerData.flags as TrainFlags, {
    sinks: [{ emit: (event) => send({ type: 'event', event }) }],
    print: (text) => send({ type: 'print', text }),
    beforeMetaStep: async () => {
      // Yield to the message loop, then wait while paused.
      await new Promise((resolve) => setImmediate(resolve));
      while (paused) await new Promise<void>((resolve) => (wake = resolve));
    },
    onTrainer: (trainer) => {
      stop = () => trainer.stop();
      checkpoint = () => trainer.requestCheckpoint();
    },
    onStart: (info) => send({ type: 'start', ...info }),
    onBaselines: (rows) =>
      send({
        type: 'baselines',
        rows: rows.map((r) => ({ optimizer: r.optimizer, log10FinalLoss: r.log10FinalLoss, curve: r.curve })),
      }),
    plainProgress: false,
  });
  send({ type: 'done' });
} catch (error) {
  send({ type: 'error', name: (error as Error).name, message: (error as Error).message });
} finally {
  port.close();
}
