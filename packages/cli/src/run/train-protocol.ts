import type { TrainEvent } from '@metagrad/core';

/** How a training run ended, when it did not fail. */
export type TrainStatus = 'completed' | 'stopped';

/** Which training command a worker runs. */
export type TrainKind = 'l2l' | 'rl2';

/** Commands the dashboard sends to the training worker. */
export type WorkerCommand =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'checkpoint' }
  | { type: 'stop' };

/** Reference results the dashboard compares the learned model with (baselines on the same held-out tasks). */
export interface ReferenceResults {
  entries: { label: string; value: number }[];
  /** Loss curves per step (l2l), overlaid on the learned optimizer's latest curve. */
  curves?: { name: string; points: { x: number; y: number }[] }[];
}

/** Messages the training worker sends to the dashboard. */
export type WorkerMessage =
  | { type: 'start'; kind: TrainKind; title: string; runDir: string; backend: string; seed: string }
  | { type: 'event'; event: TrainEvent }
  | { type: 'print'; text: string }
  | { type: 'reference'; reference: ReferenceResults }
  | { type: 'done'; status: TrainStatus }
  | { type: 'error'; name: string; message: string };

/** The hooks a training command needs from whoever runs it: the plain CLI, or the dashboard's worker. */
export interface TrainIo<E> {
  /** Extra event sinks (a JSON stream, the worker's port). */
  sinks: { emit(event: E): void }[];
  /** Prints a block of the final report. */
  print: (text: string) => void;
  /** Awaited before every training step: lets the dashboard pause training and handle keys. */
  beforeStep: () => Promise<void>;
  /** Receives the trainer's controls once it exists. */
  onControls?: (controls: { stop(): void; checkpoint(): void }) => void;
  /** Called once the run directory and backend are known. */
  onStart?: (info: { kind: TrainKind; title: string; runDir: string; backend: string; seed: string }) => void;
  /** Receives baselines evaluated on the trainer's own held-out tasks (only asked for by the dashboard). */
  onReference?: (reference: ReferenceResults) => void;
  /** Also print the plain progress lines. */
  plainProgress: boolean;
}
