import type { MetaTrainEvent } from '@metagrad/optimizers';

/** Commands the dashboard sends to the training worker. */
export type WorkerCommand =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'checkpoint' }
  | { type: 'stop' };

/** Messages the training worker sends to the dashboard. */
export type WorkerMessage =
  | { type: 'start'; runDir: string; backend: string; task: string; seed: string }
  | { type: 'event'; event: MetaTrainEvent }
  | { type: 'print'; text: string }
  | { type: 'baselines'; rows: { optimizer: string; log10FinalLoss: number; curve: number[] }[] }
  | { type: 'done' }
  | { type: 'error'; name: string; message: string };
