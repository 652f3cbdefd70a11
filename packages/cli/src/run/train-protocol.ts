import type { ReferenceResults, TrainEvent } from '@metagrad/core';

/** How a training run ended, when it did not fail. */
export type TrainStatus = 'completed' | 'stopped';

/** Which trainer a dashboard's worker runs: a registered name, and the module a user's trainer came from. */
export interface TrainerRef {
  trainer: string;
  trainerModule?: string;
}

/** Commands the dashboard sends to the training worker. */
export type WorkerCommand =
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'checkpoint' }
  | { type: 'stop' };

/** Messages the training worker sends to the dashboard. */
export type WorkerMessage =
  | { type: 'start'; kind: string; title: string; runDir: string; backend: string; seed: string }
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
  onStart?: (info: { kind: string; title: string; runDir: string; backend: string; seed: string }) => void;
  /** Receives baselines evaluated on the trainer's own held-out tasks (only asked for by the dashboard). */
  onReference?: (reference: ReferenceResults) => void;
  /** Also print the plain progress lines. */
  plainProgress: boolean;
}
