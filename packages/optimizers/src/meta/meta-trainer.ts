import {
  type AdamState,
  adamFromValues,
  adamValues,
  type CheckpointData,
  CheckpointError,
  CheckpointStore,
  ConfigError,
  clipAndApply,
  disposeAdam,
  type EventSink,
  initAdam,
  kernelsSchema,
  type NamedValues,
  parseConfig,
  Rng,
  resolveKernels,
  workersSchema,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { runOptimizer } from '../eval/run-optimizer.js';
import type { NamedWeight } from '../learned/coordinatewise-lstm.js';
import type { LearnedOptimizer } from '../learned/learned-optimizer.js';
import { MetaGradientRunner } from '../parallel/meta-gradient-runner.js';
import { lossAndGradient } from '../tasks/loss-and-gradient.js';
import type { Task, TaskFamily } from '../tasks/task.js';
import type { MetaTrainEvent } from './events.js';
import { disposeInnerRun, type InnerRun, startInnerRun } from './meta-gradient.js';

/** Meta-training settings, validated at the edge with zod. */
export const metaTrainConfigSchema = z.object({
  /** Epochs: each samples fresh training tasks and runs them for `steps` inner steps. */
  epochs: z.number().int().positive().default(200),
  /** Inner steps per epoch (the optimizee's horizon). Paper: 100. */
  steps: z.number().int().positive().default(100),
  /** Truncation length for backpropagation through time. Paper: 20. */
  unroll: z.number().int().positive().default(20),
  /** Task instances per epoch, run side by side. Paper (quadratics): 128. */
  instances: z.number().int().positive().default(128),
  /** Adam step size for the optimizer's weights. */
  metaLearningRate: z.number().positive().default(3e-3),
  /** Global gradient-norm clip for the meta-gradient. */
  clipNorm: z.number().positive().default(1),
  /** Differentiate through the optimizee's gradients (slow; fails for ops tfjs cannot differentiate twice). */
  secondOrder: z.boolean().default(false),
  /** Evaluate on held-out tasks every N epochs. */
  evalEvery: z.number().int().positive().default(10),
  /** Held-out task instances. */
  evalInstances: z.number().int().positive().default(128),
  /** Write a checkpoint every N epochs. */
  checkpointEvery: z.number().int().positive().default(10),
  /** Checkpoints to keep. */
  keepCheckpoints: z.number().int().positive().default(3),
  /** The learned optimizer's step: fused SIMD kernels, tfjs composites, or `auto` (fused on wasm and cpu). */
  kernels: kernelsSchema,
  /**
   * Gradient workers: each meta-step's task batch is split across this many worker threads (1: on
   * the training thread; more needs a family with `spec()` whose tasks have `subset()`, as the
   * built-in ones do). Default: one per core. Results depend on it through float rounding only.
   */
  workers: workersSchema,
  seed: z.union([z.number().int(), z.string().min(1)]).default(0),
});

/** Meta-training settings as given (defaults filled in by {@link resolveMetaTrainConfig}). */
export type MetaTrainConfigInput = z.input<typeof metaTrainConfigSchema>;
export type MetaTrainConfig = z.output<typeof metaTrainConfigSchema>;

/** Fills in defaults and validates; errors name the field and the value. */
export function resolveMetaTrainConfig(input: MetaTrainConfigInput = {}): MetaTrainConfig {
  const config = parseConfig(metaTrainConfigSchema, input, 'train');
  if (config.steps % config.unroll !== 0) {
    throw new RangeError(
      `train.steps (${config.steps}) must be a multiple of train.unroll (${config.unroll})`,
    );
  }
  return config;
}

/** The `kind` of meta-training checkpoints in a {@link CheckpointStore}. */
export const META_TRAIN_CHECKPOINT_KIND = 'l2l-meta-train';

/** Where meta-training keeps checkpoints: the store {@link MetaTrainer} writes and a resume reads. */
export function metaTrainCheckpoints(dir: string, keep = 3): CheckpointStore {
  return new CheckpointStore(dir, { kind: META_TRAIN_CHECKPOINT_KIND, keep });
}

/** The plain-JSON part of a meta-training checkpoint. */
const checkpointStateSchema = z.object({
  /** Epoch in progress and the inner step reached within it (0: at an epoch boundary). */
  epoch: z.number().int().nonnegative(),
  innerStep: z.number().int().nonnegative(),
  skippedTotal: z.number().int().nonnegative(),
  bestLog10FinalLoss: z.number().nullable(),
  epochMetaLosses: z.array(z.number()),
  /** Adam updates applied to the optimizer's weights. */
  adamStep: z.number().int().nonnegative(),
});

/** What meta-training returns. */
export interface MetaTrainSummary {
  epochsCompleted: number;
  metaSteps: number;
  /** `failed`: the weights stopped being finite; nothing of them should be saved as a result. */
  reason: 'completed' | 'stopped' | 'failed';
  bestLog10FinalLoss: number | null;
  /** Weights at the best evaluation (null when none ran). */
  bestWeights: NamedWeight[] | null;
  skippedTotal: number;
  ms: number;
}

/** Options of {@link MetaTrainer}. */
export interface MetaTrainerOptions {
  config: MetaTrainConfigInput;
  family: TaskFamily;
  optimizer: LearnedOptimizer;
  events?: EventSink<MetaTrainEvent>;
  /** Directory for checkpoints ({@link metaTrainCheckpoints}); none are written without it. */
  checkpointDir?: string;
  /** Continue from this checkpoint (weights, meta-optimizer, best weights, position, inner state). */
  resumeFrom?: CheckpointData;
  /** Extra plain JSON each checkpoint records, e.g. the metrics log's length for a clean resume. */
  checkpointNotes?: () => Record<string, unknown>;
  /** Awaited before every meta-step: lets a UI pause training or yield to key handlers. */
  beforeMetaStep?: () => Promise<void>;
}

/**
 * Meta-trains a learned optimizer by truncated backpropagation through time (Andrychowicz et al.
 * 2016): each epoch samples tasks, runs them for `steps` inner steps in truncations of `unroll`,
 * and after each truncation applies Adam (with global-norm clipping) to the optimizer's weights
 * through @metagrad/core's `clipAndApply`. A NaN/Inf meta-loss or gradient, or an update that would
 * make a weight non-finite, is skipped and counted. Events go to `events`; checkpoints (verified,
 * with the best weights, last K kept) to `checkpointDir`.
 * The same seed and backend give the same numbers, also across a resume.
 *
 * @example
 * ```ts
 * const trainer = new MetaTrainer({ config: { epochs: 50 }, family: new QuadraticFamily(),
 *   optimizer: new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng(0)), events: new JsonlWriter('metrics.jsonl') });
 * const summary = await trainer.train();
 * ```
 */
export class MetaTrainer {
  readonly config: MetaTrainConfig;
  readonly family: TaskFamily;
  readonly optimizer: LearnedOptimizer;
  private readonly events: EventSink<MetaTrainEvent> | undefined;
  private readonly options: MetaTrainerOptions;
  private readonly root: Rng;
  private readonly checkpoints: CheckpointStore | undefined;
  private adam: AdamState;
  private metaStepCount = 0;
  private skippedTotal = 0;
  private bestLog10FinalLoss: number | null = null;
  private bestWeights: NamedWeight[] | null = null;
  private stopRequested = false;
  private readonly gradients: MetaGradientRunner;
  private checkpointRequested = false;

  constructor(options: MetaTrainerOptions) {
    this.options = options;
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
    this.gradients = new MetaGradientRunner(this.config.workers);
    this.events = options.events;
    this.root = new Rng(this.config.seed);
    this.adam = initAdam(this.optimizer.variables);
    this.checkpoints = options.checkpointDir
      ? metaTrainCheckpoints(options.checkpointDir, this.config.keepCheckpoints)
      : undefined;
  }

  /** Asks training to stop after the current meta-step, writing a checkpoint. */
  stop(): void {
    this.stopRequested = true;
  }

  /** Asks for a checkpoint after the current meta-step. */
  requestCheckpoint(): void {
    this.checkpointRequested = true;
  }

  private emit(event: MetaTrainEvent): void {
    this.events?.emit(event);
  }

  private trainingTaskRng(epoch: number): Rng {
    return this.root.child('train').child(epoch);
  }

  private trainingTask(epoch: number): Task {
    return this.family.sample(this.trainingTaskRng(epoch), this.config.instances);
  }

  /** Runs meta-training to the configured number of epochs, or until {@link stop}. */
  async train(): Promise<MetaTrainSummary> {
    const started = performance.now();
    const cfg = this.config;
    const resume = this.options.resumeFrom;
    let startEpoch = 0;
    let resumeInner: { state: z.infer<typeof checkpointStateSchema>; data: CheckpointData } | undefined;
    if (resume) {
      const state = this.restore(resume);
      startEpoch = state.epoch;
      if (state.innerStep > 0) resumeInner = { state, data: resume };
    }
    this.emit({
      type: 'start',
      time: Date.now(),
      epochs: cfg.epochs,
      startEpoch,
      metaStepsPerEpoch: cfg.steps / cfg.unroll,
      resumed: resume !== undefined,
    });
    const evalTask = this.family.sample(this.root.child('eval'), cfg.evalInstances);
    let reason: MetaTrainSummary['reason'] = 'completed';
    let epoch = startEpoch;
    try {
      for (; epoch < cfg.epochs; epoch++) {
        const epochStarted = performance.now();
        const task = this.trainingTask(epoch);
        let run: InnerRun;
        let epochMetaLosses: number[] = [];
        if (resumeInner) {
          run = restoreInnerRun(task, resumeInner.data, resumeInner.state.innerStep);
          epochMetaLosses = [...resumeInner.state.epochMetaLosses];
        } else {
          run = startInnerRun(task, this.optimizer);
        }
        resumeInner = undefined;
        while (run.step < cfg.steps) {
          await this.options.beforeMetaStep?.();
          if (this.stopRequested) break;
          const t0 = performance.now();
          const noise = this.root.child('noise').child(epoch);
          const result = await this.gradients.metaGradient(
            this.optimizer,
            run,
            {
              unroll: cfg.unroll,
              secondOrder: cfg.secondOrder,
              noiseFor: (step) => noise.child(step),
              metaStep: this.metaStepCount,
            },
            { family: this.family, taskSeed: this.trainingTaskRng(epoch).seed, noiseSeed: noise.seed },
          );
          const { metaLoss, gradientNorm, skipped } = this.applyMetaGradient(
            result.metaLoss,
            result.gradients,
          );
          disposeInnerRun(run);
          run = result.next;
          this.metaStepCount++;
          epochMetaLosses.push(metaLoss);
          this.emit({
            type: 'meta-step',
            time: Date.now(),
            epoch,
            metaStep: this.metaStepCount,
            metaLoss,
            gradientNorm,
            skipped,
            skippedTotal: this.skippedTotal,
            ms: performance.now() - t0,
          });
          if (this.checkpointRequested && run.step < cfg.steps) {
            this.saveCheckpoint(epoch, run, epochMetaLosses);
          }
        }
        if (!this.weightsFinite()) {
          disposeInnerRun(run);
          task.dispose();
          reason = 'failed';
          break;
        }
        if (this.stopRequested && run.step < cfg.steps) {
          this.saveCheckpoint(epoch, run, epochMetaLosses);
          disposeInnerRun(run);
          task.dispose();
          reason = 'stopped';
          break;
        }
        const meanFinalLoss = tf.tidy(() => tf.mean(run.loss));
        const finalLoss = meanFinalLoss.dataSync()[0]!;
        meanFinalLoss.dispose();
        disposeInnerRun(run);
        task.dispose();
        this.emit({
          type: 'epoch',
          time: Date.now(),
          epoch,
          metaLoss: epochMetaLosses.reduce((a, b) => a + b, 0),
          log10FinalLoss: Math.log10(finalLoss),
          ms: performance.now() - epochStarted,
          tensors: tf.memory().numTensors,
          bytes: tf.memory().numBytes,
        });
        const completed = epoch + 1;
        if (completed % cfg.evalEvery === 0 || completed === cfg.epochs) this.evaluate(evalTask, epoch);
        if (completed % cfg.checkpointEvery === 0 || completed === cfg.epochs || this.checkpointRequested) {
          this.saveCheckpoint(completed, undefined, []);
        }
        if (this.stopRequested) {
          epoch = completed;
          reason = completed < cfg.epochs ? 'stopped' : 'completed';
          break;
        }
      }
    } finally {
      evalTask.dispose();
    }
    const summary: MetaTrainSummary = {
      epochsCompleted: epoch,
      metaSteps: this.metaStepCount,
      reason,
      bestLog10FinalLoss: this.bestLog10FinalLoss,
      bestWeights: this.bestWeights,
      skippedTotal: this.skippedTotal,
      ms: performance.now() - started,
    };
    this.emit({
      type: 'end',
      time: Date.now(),
      epoch,
      reason,
      bestLog10FinalLoss: this.bestLog10FinalLoss,
      skippedTotal: this.skippedTotal,
      ms: summary.ms,
    });
    return summary;
  }

  /**
   * Clips and applies one meta-gradient with Adam, unless it (or the result) is not finite; Adam's
   * step counts applied updates only. Disposes the inputs.
   */
  private applyMetaGradient(metaLoss: tf.Scalar, gradients: tf.Tensor[]) {
    const result = clipAndApply(
      [{ variables: this.optimizer.variables, gradients }],
      this.adam,
      { learningRate: this.config.metaLearningRate },
      this.config.clipNorm,
      [metaLoss],
    );
    metaLoss.dispose();
    this.adam = result.adam;
    if (!result.applied) this.skippedTotal++;
    return { metaLoss: result.checked[0]!, gradientNorm: result.norms[0]!, skipped: !result.applied };
  }

  /** True while every weight of the learned optimizer is finite. */
  private weightsFinite(): boolean {
    return this.optimizer.weightValues().every((w) => w.values.every(Number.isFinite));
  }

  private evaluate(evalTask: Task, epoch: number): void {
    const result = runOptimizer(this.optimizer, evalTask, { steps: this.config.steps });
    const best =
      Number.isFinite(result.log10FinalLoss) &&
      (this.bestLog10FinalLoss === null || result.log10FinalLoss < this.bestLog10FinalLoss);
    if (best) {
      this.bestLog10FinalLoss = result.log10FinalLoss;
      this.bestWeights = this.optimizer.weightValues();
    }
    this.emit({
      type: 'evaluation',
      time: Date.now(),
      epoch,
      log10FinalLoss: result.log10FinalLoss,
      finalLossMean: result.finalLossMean,
      curve: result.curve,
      best,
    });
  }

  private saveCheckpoint(epoch: number, run: InnerRun | undefined, epochMetaLosses: number[]): void {
    this.checkpointRequested = false;
    if (!this.checkpoints) return;
    const weights = this.optimizer.weightValues();
    if (weights.some((w) => w.values.some((v) => !Number.isFinite(v)))) return; // never persist poisoned weights
    const state: z.infer<typeof checkpointStateSchema> = {
      epoch,
      innerStep: run?.step ?? 0,
      skippedTotal: this.skippedTotal,
      bestLog10FinalLoss: this.bestLog10FinalLoss,
      epochMetaLosses,
      adamStep: this.adam.step,
    };
    const tensors: Record<string, NamedValues[]> = {
      weights,
      adam: adamValues(this.adam, this.weightNames()),
      ...(this.bestWeights && { best: this.bestWeights }),
      ...(run && { inner: innerRunValues(run) }),
    };
    // The event goes first, so that the log length the checkpoint records includes it; if the write
    // fails the run stops, and a resume cuts the log back to the previous checkpoint's length.
    const path = this.checkpoints.pathFor(this.metaStepCount);
    this.emit({ type: 'checkpoint', time: Date.now(), epoch, path });
    this.checkpoints.write({
      step: this.metaStepCount,
      state: { ...this.options.checkpointNotes?.(), ...state },
      tensors,
    });
  }

  private weightNames(): string[] {
    return this.optimizer.weightValues().map((w) => w.name);
  }

  private restore(checkpoint: CheckpointData): z.infer<typeof checkpointStateSchema> {
    const parsed = checkpointStateSchema.safeParse(checkpoint.state);
    if (!parsed.success) throw new CheckpointError('checkpoint', `state: ${parsed.error.issues[0]!.message}`);
    const state = parsed.data;
    const group = (name: string) => {
      const values = checkpoint.tensors[name];
      if (!values) throw new CheckpointError('checkpoint', `no ${name} tensors`);
      return values;
    };
    this.optimizer.setWeightValues(group('weights'));
    const adam = adamFromValues(state.adamStep, group('adam'), this.optimizer.variables, this.weightNames());
    disposeAdam(this.adam);
    this.adam = adam;
    this.metaStepCount = checkpoint.step;
    this.skippedTotal = state.skippedTotal;
    this.bestLog10FinalLoss = state.bestLog10FinalLoss;
    this.bestWeights = checkpoint.tensors.best ?? null;
    if (state.innerStep > 0) group('inner');
    return state;
  }

  /** Frees the meta-optimizer's moments (the learned optimizer is the caller's). */
  dispose(): void {
    void this.gradients.dispose();
    disposeAdam(this.adam);
    this.adam = { step: this.adam.step, m: [], v: [] };
  }
}

/** An inner run's parameters and the learned optimizer's state, for a mid-epoch checkpoint. */
function innerRunValues(run: InnerRun): NamedValues[] {
  const plain = (name: string, t: tf.Tensor) => ({
    name,
    shape: t.shape,
    values: Float32Array.from(t.dataSync() as Float32Array),
  });
  return [
    plain('params', run.params),
    ...Object.entries(run.state).map(([name, t]) => plain(`state/${name}`, t)),
  ];
}

/** The inner run a mid-epoch checkpoint holds, continued on `task` (the same tasks, re-sampled). */
function restoreInnerRun(task: Task, checkpoint: CheckpointData, step: number): InnerRun {
  const values = checkpoint.tensors.inner ?? [];
  const params = values.find((v) => v.name === 'params');
  if (!params) throw new CheckpointError('checkpoint', 'no inner-run parameters');
  const paramsTensor = tf.tensor2d(params.values, params.shape as [number, number]);
  const state = Object.fromEntries(
    values
      .filter((v) => v.name.startsWith('state/'))
      .map((v) => [v.name.slice('state/'.length), tf.tensor2d(v.values, v.shape as [number, number])]),
  );
  const { loss, gradient } = lossAndGradient(task, paramsTensor, step);
  return { task, params: paramsTensor, state, loss, gradient, step };
}
