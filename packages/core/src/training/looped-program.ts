import type { NamedValues } from './named-values.js';
import type { Objective } from './train-events.js';
import {
  type Evaluation,
  type ProgramCheckpoint,
  type StepResult,
  TrainLoop,
  type TrainLoopOptions,
  type TrainProgram,
  type TrainSummary,
} from './train-loop.js';

/**
 * A {@link TrainProgram} that owns the {@link TrainLoop} running it, so that training, stopping,
 * checkpoint requests and the best weights are written once for every trainer. A subclass says
 * what a step, an evaluation and a checkpoint are, and attaches its loop at the end of its
 * constructor with the options only it knows (its checkpoint store, its intervals in steps).
 */
export abstract class LoopedProgram implements TrainProgram {
  abstract readonly unit: string;
  abstract readonly total: number;
  abstract readonly objective: Objective;
  abstract readonly headline: string[];
  abstract step(index: number): Promise<StepResult>;
  abstract evaluate(done: number): Evaluation | Promise<Evaluation>;
  abstract weights(): NamedValues[] | Promise<NamedValues[]>;
  abstract checkpoint(): ProgramCheckpoint | Promise<ProgramCheckpoint>;
  abstract restore(
    state: Record<string, unknown>,
    tensors: Record<string, NamedValues[]>,
    step: number,
  ): void;

  private loop: TrainLoop | undefined;

  /** Attaches the loop that runs this program; once, at the end of the subclass's constructor. */
  protected attachLoop(options: Omit<TrainLoopOptions, 'program'>): void {
    this.loop = new TrainLoop({ program: this, ...options });
  }

  private get attached(): TrainLoop {
    if (!this.loop) throw new Error(`${this.constructor.name}: no training loop attached`);
    return this.loop;
  }

  /** Trains for the configured steps, or until {@link stop}. */
  train(): Promise<TrainSummary> {
    return this.attached.run();
  }

  /** Asks training to stop after the current step, writing a checkpoint. */
  stop(): void {
    this.attached.stop();
  }

  /** Asks for a checkpoint after the current step. */
  requestCheckpoint(): void {
    this.attached.requestCheckpoint();
  }

  /** The weights at the best evaluation so far (null before one ran). */
  get bestWeightValues(): NamedValues[] | null {
    return this.attached.bestWeights;
  }
}
