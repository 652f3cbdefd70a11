/**
 * Runs a planned `l2l train` or `rl2 train` (validated in the main thread) off the UI thread: the dashboard's keys and redraws stay responsive while
 * tensors crunch. Commands arrive on the parent port; events, report text and the outcome go back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type L2lTrainPlan, runL2lTrain } from '../commands/l2l-train.js';
import { type Rl2TrainPlan, runRl2Train } from '../commands/rl2-train.js';
import type { TrainIo, TrainKind, WorkerCommand, WorkerMessage } from './train-protocol.js';

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
  // One set of hooks for both commands; events are forwarded as they are, whatever their type.
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
  const kind = workerData.kind as TrainKind;
  const status =
    kind === 'l2l'
      ? await runL2lTrain(workerData.plan as L2lTrainPlan, io)
      : await runRl2Train(workerData.plan as Rl2TrainPlan, io);
  send({ type: 'done', status });
} catch (error) {
  send({ type: 'error', name: (error as Error).name, message: (error as Error).message });
} finally {
  port.close();
}
