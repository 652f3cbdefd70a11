import {
  type AdamState,
  adamFromValues,
  adamValues,
  type CheckpointData,
  ConfigError,
  checkpointState,
  checkpointTensors,
  clipAndApply,
  decayed,
  disposeAdam,
  type Evaluation,
  type EventSink,
  histogramOf,
  initAdam,
  LoopedProgram,
  type NamedValues,
  type ProgramCheckpoint,
  Rng,
  readScalars,
  resolveKernels,
  type StepResult,
  type TrainEvent,
  type TrainSummary,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { type OptimizerRun, runOptimizer } from '../eval/run-optimizer.js';
import { type TaskSplits, taskSplits } from '../eval/task-splits.js';
import type { LearnedOptimizer } from '../learned/learned-optimizer.js';
import { LSTM_OPTIMIZER_STEP } from '../ops/lstm-optimizer-step-kernel.js';
import type { Task, TaskFamily } from '../tasks/task.js';
import { componentsOf } from '../tasks/task-mixture.js';
import {
  disposeInnerRun,
  type InnerRun,
  innerRunFromValues,
  innerRunValues,
  startInnerRun,
} from './meta-gradient.js';
import type { MetaGradientEstimator } from './meta-gradient-estimator.js';
import {
  META_TRAIN_OBJECTIVE,
  type MetaTrainConfig,
  type MetaTrainConfigInput,
  metaTrainCheckpoints,
  resolveMetaTrainConfig,
} from './meta-train-config.js';
import { PersistentEs } from './persistent-es.js';
import { TruncatedBackprop } from './truncated-backprop.js';
import { TruncatedEs } from './truncated-es.js';
import { ConstantTruncation, GrowingTruncation, type TruncationSchedule } from './truncation-schedule.js';

/** The meta-trainer's own plain-JSON part of a checkpoint (the loop adds its counters and best weights). */
const checkpointStateSchema = z.object({
  /** Inner steps taken in the epoch in progress (0: at an epoch boundary). */
  innerStep: z.number().int().nonnegative(),
  epochMetaLosses: z.array(z.number()),
  /** Adam updates applied to the optimizer's weights. */
  adamStep: z.number().int().nonnegative(),
  /** Mid-epoch state of a stateful estimator (persistent ES's particles); its tensors are `estimator/…`. */
  estimator: z.record(z.string(), z.unknown()).optional(),
});

/** Coordinates whose update sizes each evaluation records for its histogram (all, on small tasks). */
const RECORDED_COORDINATES = 4096;

/** What meta-training returns: the loop's summary and the epochs completed. */
export type MetaTrainSummary = TrainSummary & { epochsCompleted: number };

/** Options of {@link MetaTrainer}. */
export interface MetaTrainerOptions {
  config: MetaTrainConfigInput;
  family: TaskFamily;
  optimizer: LearnedOptimizer;
  events?: EventSink<TrainEvent>;
  /** Directory for checkpoints ({@link metaTrainCheckpoints}); none are written without it. */
  checkpointDir?: string;
  /** Continue from this checkpoint (weights, meta-optimizer, best weights, position, inner state). */
  resumeFrom?: CheckpointData;
  /** Extra plain JSON each checkpoint records, e.g. the metrics log's length for a clean resume. */
  checkpointNotes?: () => Record<string, unknown>;
  /** Awaited before every meta-step: lets a UI pause training or yield to key handlers. */
  beforeMetaStep?: () => Promise<void>;
  /** How meta-gradients are estimated (default: truncated backpropagation on `config.workers` workers). */
  estimator?: MetaGradientEstimator;
  /** How each epoch is cut into truncations (default: `steps / unroll` truncations of `unroll`). */
  truncation?: TruncationSchedule;
}

/**
 * The outer loop of learning to learn (Andrychowicz et al. 2016): each epoch samples training tasks
 * and runs them for `steps` inner steps, cut into truncations by a {@link TruncationSchedule}; after
 * each truncation a {@link MetaGradientEstimator} (truncated backpropagation by default) gives the
 * meta-gradient, which @metagrad/core's `clipAndApply` applies with Adam and global-norm clipping
 * (non-finite ones are skipped and counted). It is a `TrainProgram`: @metagrad/core's `TrainLoop`
 * runs it, with held-out evaluation, best weights, checkpoints and the shared events. The same
 * seed, backend, kernels and worker count give the same numbers, also across a resume.
 *
 * @example
 * ```ts
 * const trainer = new MetaTrainer({ config: { epochs: 50 }, family: new QuadraticFamily(),
 *   optimizer: new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng(0)), events: new JsonlWriter('metrics.jsonl') });
 * const summary = await trainer.train();
 * ```
 */
export class MetaTrainer extends LoopedProgram {
  readonly config: MetaTrainConfig;
  readonly family: TaskFamily;
  readonly optimizer: LearnedOptimizer;
  readonly unit = 'meta-step';
  readonly objective = META_TRAIN_OBJECTIVE;
  readonly headline = ['metaLoss', 'trainLog10FinalLoss'];
  /** Meta-steps in the whole run. */
  readonly total: number;
  /** Meta-steps per epoch. */
  readonly metaStepsPerEpoch: number;
  private readonly root: Rng;
  /** Training tasks per epoch and the validation tasks that choose the best weights. */
  private readonly splits: TaskSplits;
  private readonly estimator: MetaGradientEstimator;
  private readonly truncation: TruncationSchedule;
  private adam: AdamState;
  /** The epoch in progress: its tasks, inner run and meta-losses so far. */
  private task: Task | undefined;
  private run: InnerRun | undefined;
  private epochMetaLosses: number[] = [];
  private evalTasks: Task[] | undefined;

  constructor(options: MetaTrainerOptions) {
    super();
    this.config = resolveMetaTrainConfig(options.config);
    this.family = options.family;
    this.optimizer = options.optimizer;
    this.optimizer.kernels = this.config.kernels;
    // Fail now, not at the first step, when fused kernels are asked for on a backend without them.
    resolveKernels(this.config.kernels, tf.getBackend(), LSTM_OPTIMIZER_STEP);
    if (this.config.workers > 1 && typeof this.family.spec !== 'function') {
      throw new ConfigError(
        'workers',
        this.config.workers,
        `the ${this.family.name} family has no spec() to rebuild it on a worker; use 1`,
      );
    }
    this.root = new Rng(this.config.seed);
    this.splits = taskSplits(this.config.seed);
    this.truncation = options.truncation ?? this.defaultTruncation();
    this.metaStepsPerEpoch = this.truncation.truncations(0).length;
    this.total = this.config.epochs * this.metaStepsPerEpoch;
    this.estimator = options.estimator ?? this.defaultEstimator();
    this.adam = initAdam(this.optimizer.variables);
    this.attachLoop({
      events: options.events,
      checkpoints: options.checkpointDir
        ? metaTrainCheckpoints(options.checkpointDir, this.config.keepCheckpoints)
        : undefined,
      resumeFrom: options.resumeFrom,
      checkpointNotes: options.checkpointNotes,
      evalEvery: this.config.evalEvery * this.metaStepsPerEpoch,
      checkpointEvery: this.config.checkpointEvery * this.metaStepsPerEpoch,
      beforeStep: options.beforeMetaStep,
    });
  }

  /** The schedule `config.truncation` names. */
  private defaultTruncation(): TruncationSchedule {
    const { truncation, steps, unroll, startUnroll, growEpochs, epochs } = this.config;
    if (truncation === 'growing')
      return new GrowingTruncation(steps, unroll, startUnroll, growEpochs ?? Math.floor(epochs / 2));
    return new ConstantTruncation(steps, unroll);
  }

  /** The estimator `config.estimator` names (ES and PES perturbations come from the seed). */
  private defaultEstimator(): MetaGradientEstimator {
    const { estimator, workers, secondOrder, particles, sigma, antithetic } = this.config;
    if (estimator === 'es')
      return new TruncatedEs({ particles, sigma, antithetic }, this.root.child('es-perturbations'), workers);
    if (estimator === 'pes')
      return new PersistentEs({ particles, sigma }, this.root.child('pes-perturbations'), workers);
    return new TruncatedBackprop(workers, { secondOrder });
  }

  /** The outer step size at meta-step `index` (0-based) under the configured schedule. */
  metaLearningRateAt(index: number): number {
    const { metaLearningRate, metaLearningRateSchedule } = this.config;
    return decayed(metaLearningRate, metaLearningRateSchedule, index, this.total);
  }

  /** Runs meta-training to the configured number of epochs, or until {@link stop}. */
  override async train(): Promise<MetaTrainSummary> {
    // Sampled once, before training, from their own stream: the same validation tasks every time.
    this.evalTasks ??= this.validationTasks();
    try {
      const summary = await super.train();
      return { ...summary, epochsCompleted: Math.floor(summary.steps / this.metaStepsPerEpoch) };
    } finally {
      this.endEpoch();
      for (const task of this.evalTasks ?? []) task.dispose();
      this.evalTasks = undefined;
    }
  }

  private trainingTaskRng(epoch: number): Rng {
    return this.splits.training(epoch);
  }

  /** One truncation of the epoch in progress, and its meta-gradient step. */
  async step(index: number): Promise<StepResult> {
    const epoch = Math.floor(index / this.metaStepsPerEpoch);
    const truncation = index % this.metaStepsPerEpoch;
    if (!this.run) {
      this.task = this.family.sample(this.trainingTaskRng(epoch), this.config.instances);
      this.run = startInnerRun(this.task, this.optimizer);
      this.epochMetaLosses = [];
    }
    const result = await this.estimator.estimate({
      optimizer: this.optimizer,
      run: this.run,
      unroll: this.truncation.truncations(epoch)[truncation]!,
      metaStep: index,
      objective: this.config.metaObjective,
      noise: this.root.child('noise').child(epoch),
      family: this.family,
      taskSeed: this.trainingTaskRng(epoch).seed,
    });
    const applied = await clipAndApply(
      [{ variables: this.optimizer.variables, gradients: result.gradients }],
      this.adam,
      { learningRate: this.metaLearningRateAt(index) },
      this.config.clipNorm,
      [result.metaLoss],
    );
    result.metaLoss.dispose();
    this.adam = applied.adam;
    disposeInnerRun(this.run);
    this.run = result.next;
    const metaLoss = applied.checked[0]!;
    this.epochMetaLosses.push(metaLoss);
    const metrics: Record<string, number> = {
      epoch,
      metaLoss,
      gradientNorm: applied.norms[0]!,
      metaLearningRate: this.metaLearningRateAt(index),
    };
    if (truncation === this.metaStepsPerEpoch - 1) {
      const mean = tf.tidy(() => tf.mean(this.run!.loss));
      metrics.trainLog10FinalLoss = Math.log10((await readScalars([mean]))[0]!);
      mean.dispose();
      metrics.epochMetaLoss = this.epochMetaLosses.reduce((a, b) => a + b, 0);
      this.endEpoch();
    }
    return { metrics, skipped: !applied.applied };
  }

  /** Runs the learned optimizer on the held-out validation tasks (they select the best weights). */
  async evaluate(): Promise<Evaluation> {
    this.evalTasks ??= this.validationTasks();
    const options = { steps: this.config.steps, recordUpdates: RECORDED_COORDINATES };
    const results: OptimizerRun[] = [];
    for (const task of this.evalTasks) results.push(await runOptimizer(this.optimizer, task, options));
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    return {
      value: mean(results.map((r) => r.log10FinalLoss)),
      curve: results[0]!.curve.map((_, step) => mean(results.map((r) => r.curve[step]!))),
      histograms: { log10UpdateSize: histogramOf(results.flatMap((r) => Array.from(r.log10UpdateSizes!))) },
    };
  }

  /**
   * The validation tasks: the family's, or for a mixture every component's (each from its own child
   * of the validation stream), so that selection weighs every architecture the run spans.
   */
  private validationTasks(): Task[] {
    const components = componentsOf(this.family);
    const n = this.config.evalInstances;
    if (components.length === 1) return [this.family.sample(this.splits.validation, n)];
    return components.map((component, i) => component.sample(this.splits.validation.child(i), n));
  }

  weights(): Promise<NamedValues[]> {
    return this.optimizer.weightValues();
  }

  async checkpoint(): Promise<ProgramCheckpoint> {
    // A stateful estimator's state belongs to the epoch in progress (none at an epoch boundary).
    const estimator = this.run ? await this.estimator.checkpoint?.() : undefined;
    const state: z.infer<typeof checkpointStateSchema> = {
      innerStep: this.run?.step ?? 0,
      epochMetaLosses: this.epochMetaLosses,
      adamStep: this.adam.step,
      ...(estimator && { estimator: estimator.state }),
    };
    const estimatorTensors = Object.entries(estimator?.tensors ?? {}).map(([name, v]) => [
      `estimator/${name}`,
      v,
    ]);
    return {
      state,
      tensors: {
        weights: await this.optimizer.weightValues(),
        adam: await adamValues(this.adam, this.optimizer.weightNames()),
        ...(this.run && { inner: await innerRunValues(this.run) }),
        ...Object.fromEntries(estimatorTensors),
      },
    };
  }

  restore(raw: Record<string, unknown>, tensors: Record<string, NamedValues[]>, step: number): void {
    const state = checkpointState(checkpointStateSchema, raw);
    const group = (name: string) => checkpointTensors(tensors, name);
    this.optimizer.setWeightValues(group('weights'));
    const { variables } = this.optimizer;
    const adam = adamFromValues(state.adamStep, group('adam'), variables, this.optimizer.weightNames());
    disposeAdam(this.adam);
    this.adam = adam;
    this.endEpoch();
    if (state.innerStep > 0) {
      // Mid-epoch: the same tasks again (re-sampled from their stream) and the saved inner run.
      const epoch = Math.floor(step / this.metaStepsPerEpoch);
      this.task = this.family.sample(this.trainingTaskRng(epoch), this.config.instances);
      this.run = innerRunFromValues(this.task, group('inner'), state.innerStep);
      this.epochMetaLosses = [...state.epochMetaLosses];
      if (state.estimator && this.estimator.restore) {
        const own = Object.entries(tensors)
          .filter(([name]) => name.startsWith('estimator/'))
          .map(([name, v]) => [name.slice('estimator/'.length), v] as const);
        this.estimator.restore(state.estimator, Object.fromEntries(own), this.run);
      }
    }
  }

  /** Frees the epoch in progress (its inner run and tasks). */
  private endEpoch(): void {
    if (this.run) disposeInnerRun(this.run);
    this.task?.dispose();
    this.run = undefined;
    this.task = undefined;
  }

  /** Frees the meta-optimizer's moments and the estimator's workers (the learned optimizer is the caller's). */
  dispose(): void {
    void this.estimator.dispose();
    disposeAdam(this.adam);
    this.adam = { step: this.adam.step, m: [], v: [] };
  }
}
