import type { RunEvent } from '../logging/run-event.js';
import type { Histogram } from './histogram.js';

/** What a run is judged by: the evaluation that decides the best weights, and its direction. */
export interface Objective {
  /** E.g. `held-out log10 final loss`, `held-out mean return`. */
  name: string;
  higherIsBetter: boolean;
}

/** Training started, or resumed at `startStep`. */
export interface TrainStartEvent extends RunEvent {
  type: 'start';
  /** What one step is: `meta-step`, `iteration`. */
  unit: string;
  /** Steps in the whole run. */
  total: number;
  /** Steps already done (0 unless resumed). */
  startStep: number;
  resumed: boolean;
  objective: Objective;
  /** The progress metrics worth showing first (charts, progress lines), most important first. */
  headline: string[];
}

/** One step done. */
export interface TrainProgressEvent extends RunEvent {
  type: 'progress';
  /** Steps done, this one included. */
  step: number;
  /** The step's scalars by name, e.g. `metaLoss`, `gradientNorm`, `meanReturn`, `entropy`. */
  metrics: Record<string, number>;
  /** The update was skipped: a loss or gradient was non-finite, or the result would have been. */
  skipped: boolean;
  skippedTotal: number;
  ms: number;
  /** Live tensors and bytes on the backend. */
  tensors: number;
  bytes: number;
}

/** An evaluation of the objective (on held-out tasks). */
export interface TrainEvaluationEvent extends RunEvent {
  type: 'evaluation';
  step: number;
  name: string;
  value: number;
  higherIsBetter: boolean;
  /** The best so far: its weights are kept. */
  best: boolean;
  /** Standard error of `value`, where the evaluation has one. */
  stderr?: number;
  /** A curve behind the value (e.g. the mean loss at every inner step). */
  curve?: number[];
  /** Distributions seen during the evaluation, by name (e.g. a learned optimizer's update sizes). */
  histograms?: Record<string, Histogram>;
}

/** A checkpoint is being written to `path` (the run stops if the write fails). */
export interface TrainCheckpointEvent extends RunEvent {
  type: 'checkpoint';
  step: number;
  path: string;
}

/** A resume was allowed to change settings (`--allow-changes`). */
export interface SettingsChangedEvent extends RunEvent {
  type: 'settings-changed';
  changes: { time: string; field: string; from: unknown; to: unknown }[];
}

/** Training ended. `failed`: the weights stopped being finite, and nothing of them is a result. */
export interface TrainEndEvent extends RunEvent {
  type: 'end';
  step: number;
  reason: 'completed' | 'stopped' | 'failed';
  /** The best evaluation, null when none ran. */
  best: (Objective & { value: number }) | null;
  skippedTotal: number;
  ms: number;
}

/**
 * The one event protocol every trainer emits and every reader (log, dashboard, progress lines,
 * `runs`, exports) consumes: no reader needs to know which trainer wrote a run.
 */
export type TrainEvent =
  | TrainStartEvent
  | TrainProgressEvent
  | TrainEvaluationEvent
  | TrainCheckpointEvent
  | SettingsChangedEvent
  | TrainEndEvent;
