import * as tf from '@tensorflow/tfjs';
import { DeviceFailureError } from '../backend/device-failure.js';
import type { EventSink } from '../logging/run-event.js';
import { type CheckpointData, CheckpointError, type CheckpointStore } from './checkpoint-store.js';
import type { Histogram } from './histogram.js';
import { allFinite, type NamedValues } from './named-values.js';
import type { Objective, TrainEvent } from './train-events.js';

/** What one step of a {@link TrainProgram} reports. */
export interface StepResult {
  /** Scalars for the progress event, by name. */
  metrics: Record<string, number>;
  /** The update was skipped (non-finite loss, gradient or result). */
  skipped: boolean;
}

/** What an evaluation of a {@link TrainProgram} measured. */
export interface Evaluation {
  value: number;
  stderr?: number;
  curve?: number[];
  /** Distributions worth logging with it, by name ({@link histogramOf}). */
  histograms?: Record<string, Histogram>;
}

/**
 * A trainer reduced to what differs between trainers: one step, one evaluation, and its own state.
 * {@link TrainLoop} does the rest the same way for every trainer.
 */
export interface TrainProgram {
  /** What one step is called (`meta-step`, `iteration`). */
  readonly unit: string;
  /** Steps in the whole run. */
  readonly total: number;
  /** The evaluation that decides the best weights. */
  readonly objective: Objective;
  /** The progress metrics worth showing first, most important first. */
  readonly headline: string[];
  /** Takes step `index` (0-based). */
  step(index: number): Promise<StepResult>;
  /** Evaluates after `done` steps. */
  evaluate(done: number): Evaluation | Promise<Evaluation>;
  /** The trained weights: checked after every step, kept at the best evaluation. */
  weights(): NamedValues[] | Promise<NamedValues[]>;
  /** The program's own part of a checkpoint (its weights, optimizer state, position). */
  checkpoint(): ProgramCheckpoint | Promise<ProgramCheckpoint>;
  /** Restores what {@link checkpoint} saved; `step` steps were done. */
  restore(state: Record<string, unknown>, tensors: Record<string, NamedValues[]>, step: number): void;
}

/** A program's own part of a checkpoint: plain JSON state and named tensors. */
export interface ProgramCheckpoint {
  state: Record<string, unknown>;
  tensors: Record<string, NamedValues[]>;
}

/** Options of {@link TrainLoop}. */
export interface TrainLoopOptions {
  program: TrainProgram;
  events?: EventSink<TrainEvent> | undefined;
  /** Where checkpoints go; none are written without it. */
  checkpoints?: CheckpointStore | undefined;
  /** Continue from this checkpoint. */
  resumeFrom?: CheckpointData | undefined;
  /** Extra plain JSON each checkpoint records (e.g. the metrics log's length). */
  checkpointNotes?: (() => Record<string, unknown>) | undefined;
  /** Evaluate after every `evalEvery` steps, and after the last. */
  evalEvery: number;
  /** Checkpoint after every `checkpointEvery` steps, and after the last. */
  checkpointEvery: number;
  /** Awaited before every step: lets a UI pause training or handle keys. */
  beforeStep?: (() => Promise<void>) | undefined;
}

/** What {@link TrainLoop.run} returns. */
export interface TrainSummary {
  /** Steps done. */
  steps: number;
  reason: 'completed' | 'stopped' | 'failed';
  /** Why a failed run failed: its weights stopped being finite, or the GPU device failed. */
  failure?: string;
  best: (Objective & { value: number }) | null;
  /** Weights at the best evaluation (null when none ran). */
  bestWeights: NamedValues[] | null;
  skippedTotal: number;
  ms: number;
}

/**
 * The training runtime every trainer shares: runs a {@link TrainProgram}'s steps, honours stop and
 * checkpoint requests, evaluates and checkpoints on a cadence, keeps the best weights (in the
 * checkpoints too, so a resumed run still has them), counts skipped updates, stops a run whose weights
 * stopped being finite (reason `failed`, never checkpointed), and emits the one event protocol
 * ({@link TrainEvent}). A checkpoint holds the program's part, the loop's counters and the best
 * weights; resuming from it continues exactly.
 *
 * @example
 * ```ts
 * const loop = new TrainLoop({ program, events, checkpoints, evalEvery: 10, checkpointEvery: 10 });
 * const summary = await loop.run();
 * ```
 */
export class TrainLoop {
  private readonly options: TrainLoopOptions;
  private skippedTotal = 0;
  private best: number | null = null;
  private bestWeightValues: NamedValues[] | null = null;
  private stopRequested = false;
  private checkpointRequested = false;
  /** Steps completed so far (what a run that fails mid-step reports). */
  private stepsDone = 0;

  constructor(options: TrainLoopOptions) {
    this.options = options;
  }

  /** Stops after the current step, with a checkpoint. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Writes a checkpoint after the current step. */
  requestCheckpoint(): void {
    this.checkpointRequested = true;
  }

  /** Weights at the best evaluation so far (null before one ran). */
  get bestWeights(): NamedValues[] | null {
    return this.bestWeightValues;
  }

  async run(): Promise<TrainSummary> {
    const started = performance.now();
    const { program, resumeFrom } = this.options;
    let step = resumeFrom ? this.restore(resumeFrom) : 0;
    this.emit({
      type: 'start',
      time: Date.now(),
      unit: program.unit,
      total: program.total,
      startStep: step,
      resumed: resumeFrom !== undefined,
      objective: program.objective,
      headline: program.headline,
    });
    let reason: TrainSummary['reason'] = 'completed';
    let failure: string | undefined;
    let checkpointed = step;
    this.stepsDone = step;
    try {
      ({ step, checkpointed, reason, failure } = await this.steps(step));
    } catch (error) {
      // A failed device leaves nothing to trust since the last checkpoint, which stays as it was.
      if (!(error instanceof DeviceFailureError)) throw error;
      reason = 'failed';
      failure = error.message;
      step = this.stepsDone;
    }
    if (reason === 'stopped' && checkpointed !== step) await this.saveCheckpoint(step);
    const ms = performance.now() - started;
    const best = this.best === null ? null : { ...program.objective, value: this.best };
    this.emit({ type: 'end', time: Date.now(), step, reason, best, skippedTotal: this.skippedTotal, ms });
    return {
      steps: step,
      reason,
      ...(failure && { failure }),
      best,
      bestWeights: this.bestWeightValues,
      skippedTotal: this.skippedTotal,
      ms,
    };
  }

  /** Steps from `first` until the end, a stop or non-finite weights. */
  private async steps(first: number) {
    const { program } = this.options;
    let step = first;
    let checkpointed = step;
    let reason: TrainSummary['reason'] = 'completed';
    let failure: string | undefined;
    while (step < program.total) {
      await this.options.beforeStep?.();
      if (this.stopRequested) {
        reason = 'stopped';
        break;
      }
      const t0 = performance.now();
      const result = await program.step(step);
      this.stepsDone = ++step;
      if (result.skipped) this.skippedTotal++;
      const memory = tf.memory();
      this.emit({
        type: 'progress',
        time: Date.now(),
        step,
        metrics: result.metrics,
        skipped: result.skipped,
        skippedTotal: this.skippedTotal,
        ms: performance.now() - t0,
        tensors: memory.numTensors,
        bytes: memory.numBytes,
      });
      if (!allFinite(await program.weights())) {
        reason = 'failed';
        failure = 'the weights stopped being finite';
        break;
      }
      const last = step === program.total;
      if (step % this.options.evalEvery === 0 || last) await this.evaluate(step);
      if (step % this.options.checkpointEvery === 0 || last || this.checkpointRequested) {
        await this.saveCheckpoint(step);
        checkpointed = step;
      }
    }
    return { step, checkpointed, reason, failure };
  }

  private emit(event: TrainEvent): void {
    this.options.events?.emit(event);
  }

  private async evaluate(step: number): Promise<void> {
    const { program } = this.options;
    const result = await program.evaluate(step);
    const { higherIsBetter } = program.objective;
    const best =
      Number.isFinite(result.value) &&
      (this.best === null || (higherIsBetter ? result.value > this.best : result.value < this.best));
    if (best) {
      this.best = result.value;
      this.bestWeightValues = await program.weights();
    }
    this.emit({
      type: 'evaluation',
      time: Date.now(),
      step,
      name: program.objective.name,
      value: result.value,
      higherIsBetter,
      best,
      ...(result.stderr !== undefined && { stderr: result.stderr }),
      ...(result.curve !== undefined && { curve: result.curve }),
      ...(result.histograms !== undefined && { histograms: result.histograms }),
    });
  }

  private async saveCheckpoint(step: number): Promise<void> {
    this.checkpointRequested = false;
    const store = this.options.checkpoints;
    if (!store) return;
    const own = await this.options.program.checkpoint();
    // The event goes first, so that the log length the checkpoint records includes it; if the write
    // fails the run stops, and a resume cuts the log back to the previous checkpoint's length.
    this.emit({ type: 'checkpoint', time: Date.now(), step, path: store.pathFor(step) });
    store.write({
      step,
      state: {
        ...this.options.checkpointNotes?.(),
        loop: { skippedTotal: this.skippedTotal, best: this.best },
        program: own.state,
      },
      tensors: { ...own.tensors, ...(this.bestWeightValues && { 'loop/best': this.bestWeightValues }) },
    });
  }

  private restore(checkpoint: CheckpointData): number {
    const loop = checkpoint.state.loop as { skippedTotal?: unknown; best?: unknown } | undefined;
    const program = checkpoint.state.program;
    if (
      typeof loop?.skippedTotal !== 'number' ||
      !(loop.best === null || typeof loop.best === 'number') ||
      typeof program !== 'object' ||
      program === null
    ) {
      throw new CheckpointError('checkpoint', 'not written by a TrainLoop (no loop or program state)');
    }
    const { 'loop/best': best, ...tensors } = checkpoint.tensors;
    this.options.program.restore(program as Record<string, unknown>, tensors, checkpoint.step);
    this.skippedTotal = loop.skippedTotal;
    this.best = loop.best;
    this.bestWeightValues = best ?? null;
    return checkpoint.step;
  }
}
