import type { RunEvent } from '@metagrad/core';

/** Meta-training has started (or resumed). */
export interface MetaTrainStartEvent extends RunEvent {
  type: 'start';
  epochs: number;
  startEpoch: number;
  metaStepsPerEpoch: number;
  resumed: boolean;
}

/** One truncation: a meta-gradient step on the optimizer's weights. */
export interface MetaStepEvent extends RunEvent {
  type: 'meta-step';
  epoch: number;
  metaStep: number;
  metaLoss: number;
  gradientNorm: number;
  /** The update was skipped because the meta-loss or gradient was NaN/Inf. */
  skipped: boolean;
  /** Total skipped updates so far. */
  skippedTotal: number;
  ms: number;
}

/** One epoch: a full inner run on freshly sampled training tasks. */
export interface EpochEvent extends RunEvent {
  type: 'epoch';
  epoch: number;
  metaLoss: number;
  /** log10 of the mean final loss of this epoch's training tasks. */
  log10FinalLoss: number;
  ms: number;
  /** Live tensors and bytes on the backend, for the dashboard's resource panel. */
  tensors: number;
  bytes: number;
}

/** Evaluation of the learned optimizer on the held-out tasks. */
export interface EvaluationEvent extends RunEvent {
  type: 'evaluation';
  epoch: number;
  log10FinalLoss: number;
  finalLossMean: number;
  curve: number[];
  best: boolean;
}

/** A checkpoint was written. */
export interface CheckpointEvent extends RunEvent {
  type: 'checkpoint';
  epoch: number;
  path: string;
}

/** Meta-training ended. */
export interface MetaTrainEndEvent extends RunEvent {
  type: 'end';
  epoch: number;
  /** `failed`: the learned optimizer's weights stopped being finite. */
  reason: 'completed' | 'stopped' | 'failed';
  bestLog10FinalLoss: number | null;
  skippedTotal: number;
  ms: number;
}

/** Every event meta-training emits. */
export type MetaTrainEvent =
  | MetaTrainStartEvent
  | MetaStepEvent
  | EpochEvent
  | EvaluationEvent
  | CheckpointEvent
  | MetaTrainEndEvent;
