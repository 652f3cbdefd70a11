import {
  ConfigError,
  type EventSink,
  kernelsSchema,
  parseConfig,
  Rng,
  resolveKernels,
  workersSchema,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { Adam } from '../baselines/adam.js';
import { disposeState, type OptimizerState } from '../baselines/optimizer.js';
import { runOptimizer } from '../eval/run-optimizer.js';
import type { LstmState, NamedWeight } from '../learned/coordinatewise-lstm.js';
import type { LearnedOptimizer } from '../learned/learned-optimizer.js';
import { decodeWeights, encodeWeights } from '../learned/weight-codec.js';
import { MetaGradientRunner } from '../parallel/meta-gradient-runner.js';
import { lossAndGradient } from '../tasks/loss-and-gradient.js';
import type { Task, TaskFamily } from '../tasks/task.js';
import { type Checkpoint, writeCheckpoint } from './checkpoint.js';
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

/** What meta-training returns. */
export interface MetaTrainSummary {
  epochsCompleted: number;
  metaSteps: number;
  reason: 'completed' | 'stopped';
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
  /** Directory for checkpoints; none are written without it. */
  checkpointDir?: string;
  /** Continue from this checkpoint (weights, meta-optimizer, position, inner state). */
  resumeFrom?: Checkpoint;
  /** Awaited before every meta-step: lets a UI pause training or yield to key handlers. */
  beforeMetaStep?: () => Promise<void>;
}

/**
 * Meta-trains a learned optimizer by truncated backpropagation through time (Andrychowicz et al.
 * 2016): each epoch samples tasks, runs them for `steps` inner steps in truncations of `unroll`,
 * and after each truncation applies Adam (with global-norm clipping) to the optimizer's weights.
 * A NaN/Inf meta-loss or gradient skips the update and is counted; a poisoned state is never
 * checkpointed. Events go to `events`; checkpoints (atomic, last K kept) to `checkpointDir`.
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
  private readonly metaOptimizer: Adam;
  private metaState: OptimizerState[];
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
    this.metaOptimizer = new Adam({ learningRate: this.config.metaLearningRate });
    this.metaState = this.optimizer.variables.map((v) => this.metaOptimizer.init(v));
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
    let resumeInner: Checkpoint | undefined;
    if (resume) {
      this.restore(resume);
      startEpoch = resume.epoch;
      resumeInner = resume;
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
    let reason: 'completed' | 'stopped' = 'completed';
    let epoch = startEpoch;
    try {
      for (; epoch < cfg.epochs; epoch++) {
        const epochStarted = performance.now();
        const task = this.trainingTask(epoch);
        let run: InnerRun;
        let epochMetaLosses: number[] = [];
        if (resumeInner?.inner) {
          run = this.restoreInnerRun(task, resumeInner);
          epochMetaLosses = [...resumeInner.epochMetaLosses];
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

  /** Clips and applies one meta-gradient, unless it is not finite. Disposes the inputs. */
  private applyMetaGradient(metaLoss: tf.Scalar, gradients: tf.Tensor[]) {
    const norm = tf.tidy(() => tf.sqrt(tf.addN(gradients.map((g) => tf.sum(tf.square(g))))));
    const values = tf.tidy(() => tf.stack([metaLoss, norm]));
    const [lossValue, normValue] = Array.from(values.dataSync());
    values.dispose();
    const skipped = !Number.isFinite(lossValue!) || !Number.isFinite(normValue!);
    if (skipped) {
      this.skippedTotal++;
    } else {
      const scale = Math.min(1, this.config.clipNorm / Math.max(normValue!, 1e-12));
      this.optimizer.variables.forEach((variable, i) => {
        const { update, state } = tf.tidy(() =>
          this.metaOptimizer.step(tf.mul(gradients[i]!, scale), this.metaState[i]!, this.metaOptimizerStep()),
        );
        disposeState(this.metaState[i]!);
        this.metaState[i] = state;
        // assign() shares the new value's data; the tensor object itself must still be disposed.
        const next = tf.tidy(() => tf.add(variable, update));
        variable.assign(next);
        next.dispose();
        update.dispose();
      });
      this.appliedUpdates++;
    }
    tf.dispose([metaLoss, norm, ...gradients]);
    return { metaLoss: lossValue!, gradientNorm: normValue!, skipped };
  }

  /** Adam's step counter counts applied updates only (skipped ones do not advance it). */
  private appliedUpdates = 0;
  private metaOptimizerStep(): number {
    return this.appliedUpdates;
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
    const dir = this.options.checkpointDir;
    if (!dir) return;
    const weights = this.optimizer.weightValues();
    if (weights.some((w) => w.values.some((v) => !Number.isFinite(v)))) return; // never persist poisoned weights
    const moments = this.metaState.flatMap((state, i) =>
      Object.entries(state).map(([key, t]) => ({
        name: `${i}/${key}`,
        shape: t.shape,
        values: Float32Array.from(t.dataSync() as Float32Array),
      })),
    );
    const checkpoint: Checkpoint = {
      format: 'metagrad-l2l-checkpoint',
      version: 1,
      epoch,
      innerStep: run?.step ?? 0,
      metaStep: this.metaStepCount,
      skippedTotal: this.skippedTotal,
      bestLog10FinalLoss: this.bestLog10FinalLoss,
      weights: encodeWeights(weights),
      metaOptimizer: { step: this.appliedUpdates, moments: encodeWeights(moments) },
      inner: run
        ? {
            params: encodeWeights([
              { name: 'params', shape: run.params.shape, values: run.params.dataSync() as Float32Array },
            ])[0]!,
            state: encodeWeights(
              run.state.h.flatMap((h, l) => [
                { name: `h${l}`, shape: h.shape, values: h.dataSync() as Float32Array },
                {
                  name: `c${l}`,
                  shape: run.state.c[l]!.shape,
                  values: run.state.c[l]!.dataSync() as Float32Array,
                },
              ]),
            ),
          }
        : null,
      epochMetaLosses,
    };
    const path = writeCheckpoint(dir, checkpoint, this.config.keepCheckpoints);
    this.emit({ type: 'checkpoint', time: Date.now(), epoch, path });
  }

  private restore(checkpoint: Checkpoint): void {
    this.optimizer.setWeightValues(decodeWeights(checkpoint.weights, 'checkpoint'));
    const moments = new Map(
      decodeWeights(checkpoint.metaOptimizer.moments, 'checkpoint').map((m) => [m.name, m]),
    );
    this.metaState.forEach((state, i) => {
      for (const key of Object.keys(state)) {
        const m = moments.get(`${i}/${key}`);
        if (!m) throw new Error(`checkpoint lacks meta-optimizer moment ${i}/${key}`);
        state[key]!.dispose();
        state[key] = tf.tensor(m.values, m.shape);
      }
    });
    this.appliedUpdates = checkpoint.metaOptimizer.step;
    this.metaStepCount = checkpoint.metaStep;
    this.skippedTotal = checkpoint.skippedTotal;
    this.bestLog10FinalLoss = checkpoint.bestLog10FinalLoss;
  }

  private restoreInnerRun(task: Task, checkpoint: Checkpoint): InnerRun {
    const inner = checkpoint.inner!;
    const [params] = decodeWeights([inner.params], 'checkpoint');
    const paramsTensor = tf.tensor2d(params!.values, params!.shape as [number, number]);
    const state = new Map(decodeWeights(inner.state, 'checkpoint').map((w) => [w.name, w]));
    const layers = state.size / 2;
    const tensor = (name: string) => {
      const w = state.get(name);
      if (!w) throw new Error(`checkpoint lacks recurrent state ${name}`);
      return tf.tensor2d(w.values, w.shape as [number, number]);
    };
    const lstmState: LstmState = {
      h: Array.from({ length: layers }, (_, l) => tensor(`h${l}`)),
      c: Array.from({ length: layers }, (_, l) => tensor(`c${l}`)),
    };
    const { loss, gradient } = lossAndGradient(task, paramsTensor, checkpoint.innerStep);
    return { task, params: paramsTensor, state: lstmState, loss, gradient, step: checkpoint.innerStep };
  }

  /** Frees the meta-optimizer's moments (the learned optimizer is the caller's). */
  dispose(): void {
    void this.gradients.dispose();
    for (const state of this.metaState) disposeState(state);
    this.metaState = [];
  }
}
