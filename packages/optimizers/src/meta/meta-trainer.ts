import {
  type AdamState,
  adamFromValues,
  adamValues,
  type CheckpointData,
  CheckpointStore,
  ConfigError,
  checkpointState,
  checkpointTensors,
  clipAndApply,
  DECAY_SCHEDULES,
  decayed,
  disposeAdam,
  type Evaluation,
  type EventSink,
  histogramOf,
  initAdam,
  kernelsSchema,
  type NamedValues,
  type Objective,
  parseConfig,
  Rng,
  resolveKernels,
  type StepResult,
  seedSchema,
  type TrainEvent,
  TrainLoop,
  type TrainProgram,
  type TrainSummary,
  workersSchema,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { runOptimizer } from '../eval/run-optimizer.js';
import { type TaskSplits, taskSplits } from '../eval/task-splits.js';
import type { LearnedOptimizer } from '../learned/learned-optimizer.js';
import type { Task, TaskFamily } from '../tasks/task.js';
import { componentsOf } from '../tasks/task-mixture.js';
import {
  disposeInnerRun,
  type InnerRun,
  innerRunFromValues,
  innerRunValues,
  META_OBJECTIVES,
  startInnerRun,
} from './meta-gradient.js';
import type { MetaGradientEstimator } from './meta-gradient-estimator.js';
import { PersistentEs } from './persistent-es.js';
import { TruncatedBackprop } from './truncated-backprop.js';
import { TruncatedEs } from './truncated-es.js';
import { ConstantTruncation, GrowingTruncation, type TruncationSchedule } from './truncation-schedule.js';

/** Meta-training settings, validated at the edge with zod. */
export const metaTrainConfigSchema = z.object({
  epochs: z.number().int().positive().max(1e6).default(200).describe('epochs (fresh training tasks each)'),
  steps: z
    .number()
    .int()
    .positive()
    .max(1e5)
    .default(100)
    .describe("inner steps per epoch (the optimizee's horizon; paper: 100)"),
  unroll: z
    .number()
    .int()
    .positive()
    .max(1e5)
    .default(20)
    .describe('truncation length for backpropagation through time (paper: 20)'),
  truncation: z
    .enum(['constant', 'growing'])
    .default('constant')
    .describe('truncation schedule: constant unrolls, or unrolls growing from --start-unroll to --unroll'),
  startUnroll: z
    .number()
    .int()
    .positive()
    .max(1e5)
    .default(5)
    .describe('growing: the unroll length at epoch 0 (at most --unroll)'),
  growEpochs: z
    .number()
    .int()
    .nonnegative()
    .max(1e6)
    .optional()
    .describe('growing: epochs over which unrolls grow to --unroll (default: half the epochs)'),
  instances: z
    .number()
    .int()
    .positive()
    .max(1e5)
    .default(128)
    .describe('task instances per epoch, run side by side (paper, quadratics: 128)'),
  metaLearningRate: z
    .number()
    .positive()
    .max(10)
    .default(3e-3)
    .describe("Adam step size for the optimizer's weights"),
  metaLearningRateSchedule: z
    .enum(DECAY_SCHEDULES)
    .default('constant')
    .describe(
      "schedule of the optimizer's Adam step size over the epochs (linear or cosine: to 0 at the end)",
    ),
  metaObjective: z
    .enum(META_OBJECTIVES)
    .default('loss')
    .describe("each inner step's term of the meta-loss: the mean loss (paper), or the mean log loss"),
  clipNorm: z.number().positive().max(1e6).default(1).describe('global norm the meta-gradient is clipped to'),
  secondOrder: z
    .boolean()
    .default(false)
    .describe(
      "differentiate through the optimizee's gradients (slow; fails for ops tfjs cannot differentiate twice)",
    ),
  evalEvery: z
    .number()
    .int()
    .positive()
    .max(1e6)
    .default(10)
    .describe('evaluate on held-out tasks every N epochs'),
  evalInstances: z.number().int().positive().max(1e5).default(128).describe('held-out task instances'),
  checkpointEvery: z
    .number()
    .int()
    .positive()
    .max(1e6)
    .default(10)
    .describe('write a checkpoint every N epochs'),
  keepCheckpoints: z.number().int().positive().max(1000).default(3).describe('checkpoints to keep'),
  estimator: z
    .enum(['tbptt', 'es', 'pes'])
    .default('tbptt')
    .describe('meta-gradient estimator: truncated backpropagation, evolution strategies, or persistent ES'),
  particles: z
    .number()
    .int()
    .positive()
    .max(4096)
    .default(8)
    .describe('es: perturbations per meta-step; pes: antithetic particle pairs'),
  sigma: z
    .number()
    .positive()
    .max(10)
    .default(0.01)
    .describe('es and pes: standard deviation of the weight perturbations'),
  antithetic: z.boolean().default(true).describe('es: evaluate each perturbation ±ε'),
  kernels: kernelsSchema,
  /**
   * Gradient workers: each meta-step's task batch is split across this many worker threads (1: on
   * the training thread; more needs a family with `spec()` whose tasks have `subset()`, as the
   * built-in ones do). Default: one per core. Results depend on it through float rounding only.
   */
  workers: workersSchema,
  seed: seedSchema.default(0),
});

/** Meta-training settings as given (defaults filled in by {@link resolveMetaTrainConfig}). */
export type MetaTrainConfigInput = z.input<typeof metaTrainConfigSchema>;
export type MetaTrainConfig = z.output<typeof metaTrainConfigSchema>;

/** Fills in defaults and validates; errors name the field and the value. */
export function resolveMetaTrainConfig(input: MetaTrainConfigInput = {}): MetaTrainConfig {
  const config = parseConfig(metaTrainConfigSchema, input, 'train');
  checkMetaTrainConfig(config);
  return config;
}

/** The checks that relate several settings (each alone is checked by the schema); errors name the field. */
export function checkMetaTrainConfig(
  config: Pick<MetaTrainConfig, 'steps' | 'unroll' | 'truncation' | 'startUnroll'>,
): void {
  if (config.steps % config.unroll !== 0)
    throw new ConfigError('steps', config.steps, `must be a multiple of unroll (${config.unroll})`);
  if (config.truncation === 'growing' && config.startUnroll > config.unroll)
    throw new ConfigError('startUnroll', config.startUnroll, `must be at most unroll (${config.unroll})`);
}

/** The `kind` of meta-training checkpoints in a {@link CheckpointStore}. */
export const META_TRAIN_CHECKPOINT_KIND = 'l2l-meta-train';

/** Where meta-training keeps checkpoints: the store {@link MetaTrainer} writes and a resume reads. */
export function metaTrainCheckpoints(dir: string, keep = 3): CheckpointStore {
  return new CheckpointStore(dir, { kind: META_TRAIN_CHECKPOINT_KIND, keep });
}

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

/** What meta-training judges a learned optimizer by. */
export const META_TRAIN_OBJECTIVE: Objective = { name: 'held-out log10 final loss', higherIsBetter: false };

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
export class MetaTrainer implements TrainProgram {
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
  private readonly loop: TrainLoop;
  private adam: AdamState;
  /** The epoch in progress: its tasks, inner run and meta-losses so far. */
  private task: Task | undefined;
  private run: InnerRun | undefined;
  private epochMetaLosses: number[] = [];
  private evalTasks: Task[] | undefined;

  constructor(options: MetaTrainerOptions) {
    this.config = resolveMetaTrainConfig(options.config);
    this.family = options.family;
    this.optimizer = options.optimizer;
    this.optimizer.kernels = this.config.kernels;
    // Fail now, not at the first step, when fused kernels are asked for on a backend without them.
    resolveKernels(this.config.kernels);
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
    this.loop = new TrainLoop({
      program: this,
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

  /** The estimator `config.estimator` names (ES runs on the training thread; its perturbations come from the seed). */
  private defaultEstimator(): MetaGradientEstimator {
    const { estimator, workers, secondOrder, particles, sigma, antithetic } = this.config;
    if (estimator === 'es')
      return new TruncatedEs({ particles, sigma, antithetic }, this.root.child('es-perturbations'));
    if (estimator === 'pes')
      return new PersistentEs({ particles, sigma }, this.root.child('pes-perturbations'));
    return new TruncatedBackprop(workers, { secondOrder });
  }

  /** The outer step size at meta-step `index` (0-based) under the configured schedule. */
  metaLearningRateAt(index: number): number {
    const { metaLearningRate, metaLearningRateSchedule } = this.config;
    return decayed(metaLearningRate, metaLearningRateSchedule, index, this.total);
  }

  /** Asks training to stop after the current meta-step, writing a checkpoint. */
  stop(): void {
    this.loop.stop();
  }

  /** Asks for a checkpoint after the current meta-step. */
  requestCheckpoint(): void {
    this.loop.requestCheckpoint();
  }

  /** Weights at the best held-out evaluation so far (null before one ran). */
  get bestWeightValues(): NamedValues[] | null {
    return this.loop.bestWeights;
  }

  /** Runs meta-training to the configured number of epochs, or until {@link stop}. */
  async train(): Promise<MetaTrainSummary> {
    // Sampled once, before training, from their own stream: the same validation tasks every time.
    this.evalTasks ??= this.validationTasks();
    try {
      const summary = await this.loop.run();
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
    const applied = clipAndApply(
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
      metrics.trainLog10FinalLoss = Math.log10(mean.dataSync()[0]!);
      mean.dispose();
      metrics.epochMetaLoss = this.epochMetaLosses.reduce((a, b) => a + b, 0);
      this.endEpoch();
    }
    return { metrics, skipped: !applied.applied };
  }

  /** Runs the learned optimizer on the held-out validation tasks (they select the best weights). */
  evaluate(): Evaluation {
    this.evalTasks ??= this.validationTasks();
    const results = this.evalTasks.map((task) =>
      runOptimizer(this.optimizer, task, { steps: this.config.steps, recordUpdates: RECORDED_COORDINATES }),
    );
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

  weights(): NamedValues[] {
    return this.optimizer.weightValues();
  }

  checkpoint(): { state: Record<string, unknown>; tensors: Record<string, NamedValues[]> } {
    // A stateful estimator's state belongs to the epoch in progress (none at an epoch boundary).
    const estimator = this.run ? this.estimator.checkpoint?.() : undefined;
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
        weights: this.optimizer.weightValues(),
        adam: adamValues(this.adam, this.weightNames()),
        ...(this.run && { inner: innerRunValues(this.run) }),
        ...Object.fromEntries(estimatorTensors),
      },
    };
  }

  restore(raw: Record<string, unknown>, tensors: Record<string, NamedValues[]>, step: number): void {
    const state = checkpointState(checkpointStateSchema, raw);
    const group = (name: string) => checkpointTensors(tensors, name);
    this.optimizer.setWeightValues(group('weights'));
    const adam = adamFromValues(state.adamStep, group('adam'), this.optimizer.variables, this.weightNames());
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

  private weightNames(): string[] {
    return this.optimizer.weightValues().map((w) => w.name);
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
