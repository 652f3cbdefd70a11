import type { z } from 'zod';
import type { EventBus } from '../logging/run-event.js';
import type { CheckpointData, CheckpointStore } from './checkpoint-store.js';
import type { TrainEvent } from './train-events.js';
import type { TrainSummary } from './train-loop.js';

/** The settings every trainer has: a seed. */
export interface TrainerSettings {
  seed: number | string;
}

/**
 * What a trainer is, for whoever hosts its runs (the `metagrad` command, its dashboard, `runs
 * compare`) without knowing the trainer: its settings, how to check them, how to start a run, what
 * a run leaves behind, which settings a configuration ignores, and which fix its held-out tasks. The
 * two built-in trainers export one each (`l2lTrainer` in `@metagrad/optimizers`, `rl2Trainer` in
 * `@metagrad/rl`); a module whose default export is one adds a third (`--trainer-module`).
 *
 * @example
 * ```ts
 * const trainer: TrainerDescriptor<MySettings> = {
 *   name: 'regression', kind: 'regression-train', description: 'fit a line', unit: 'epoch',
 *   schema: mySchema, evaluationSettings: ['points'],
 *   title: (c) => `regression ${c.points}`, runName: () => 'regression',
 *   checkpoints: (dir) => new CheckpointStore(dir, { kind: 'regression-train', keep: 3 }),
 *   start: (config, context) => new MyRun(config, context),
 * };
 * ```
 */
export interface TrainerDescriptor<C extends TrainerSettings = TrainerSettings> {
  /** The command that trains it: `metagrad <name> train`. */
  readonly name: string;
  /** What config.json records as the run's kind, e.g. `l2l-train`; one per trainer. */
  readonly kind: string;
  /** One line for `--help`. */
  readonly description: string;
  /** What one training step is called (`meta-step`, `iteration`). */
  readonly unit: string;
  /** Every setting, with its default, bounds and (as its description) its `--flag` help. */
  readonly schema: z.ZodObject;
  /** Command-line names for fields whose kebab-case name is not the flag (`metaLearningRate` → `meta-lr`). */
  readonly flagNames?: Readonly<Record<string, string>>;
  /** Fields set only in a `--config` file (structured values). */
  readonly configOnly?: readonly string[];
  /** More `--help` text: examples, and where the defaults come from. */
  readonly help?: string;
  /**
   * Settings that, with the seed, fix a run's held-out evaluation tasks: runs that agree on them
   * and on the seed are scored on the same tasks, so `runs compare` pairs their scores.
   */
  readonly evaluationSettings: readonly string[];
  /**
   * Settings that change how a run is computed or recorded but not what it trains (worker count,
   * kernels, evaluation and checkpoint intervals): runs differing only in them, and in the seed and
   * backend, are one setting for `runs compare`.
   */
  readonly runSettings?: readonly string[];
  /**
   * A user module named by a setting (a task family, an environment): the field, and how to
   * register the module's `{ name, create }` (checking what `create` returns).
   */
  readonly userModule?: {
    field: string;
    register(path: string, name: string, create: (settings: unknown) => unknown): void;
  };
  /**
   * Fills in defaults that depend on other settings, before validation: `values` are the flags
   * given, `stored` the resumed run's settings or the `--config` file's, `from` says which.
   */
  withDefaults?(
    values: Record<string, unknown>,
    stored: Record<string, unknown>,
    from: 'resume' | 'config' | 'none',
  ): void;
  /** Checks that relate several settings (each alone is the schema's); ConfigErrors name the field. */
  check?(config: C): void;
  /** A short description for lists and dashboards, e.g. `rl2 bandit n=10 k=5`. */
  title(config: C): string;
  /** The default run directory's name, e.g. `l2l-quadratic`. */
  runName(config: C): string;
  /**
   * Settings this configuration never reads (TRPO's clip): two runs differing only in them are one
   * setting. The configuration is read from a run directory and may predate some settings.
   */
  unusedSettings?(config: C): readonly string[];
  /** The checkpoint store a run with `config` writes in `dir` and a resume reads. */
  checkpoints(dir: string, config: C): CheckpointStore;
  /** Builds a run's trainer, resuming from `context.resumeFrom` when given. */
  start(config: C, context: TrainerContext): TrainerRun | Promise<TrainerRun>;
}

/** What a host gives a trainer's run. */
export interface TrainerContext {
  /** The run directory (results go here; the host writes config.json, metrics.jsonl and summary.json). */
  runDir: string;
  /**
   * Where every event goes (the log, the progress lines, the dashboard); a run may subscribe sinks
   * of its own (saving the best model at each new best evaluation).
   */
  events: EventBus<TrainEvent>;
  checkpointDir: string;
  resumeFrom?: CheckpointData | undefined;
  /** Plain JSON each checkpoint must record (the log's length, for a clean resume). */
  checkpointNotes: () => Record<string, unknown>;
  /** Awaited before every step: lets a dashboard pause training and handle keys. */
  beforeStep: () => Promise<void>;
  /** Prints a block of the final report (a comparison table). */
  print(text: string): void;
  /** The host prints JSON events rather than text. */
  json: boolean;
}

/** Reference results a dashboard compares the trained model with (baselines on the same held-out tasks). */
export interface ReferenceResults {
  entries: { label: string; value: number }[];
  /** Curves per step, overlaid on the trained model's latest curve. */
  curves?: { name: string; points: { x: number; y: number }[] }[];
}

/** One run of a trainer, as {@link TrainerDescriptor.start} returns it. */
export interface TrainerRun {
  /** Trains until done or stopped. */
  train(): Promise<TrainSummary>;
  /** Asks training to stop after the current step, with a checkpoint. */
  stop(): void;
  /** Asks for a checkpoint after the current step. */
  requestCheckpoint(): void;
  /** Baselines on the run's own held-out tasks, for a dashboard; asked for only by one. */
  reference?(): ReferenceResults | undefined | Promise<ReferenceResults | undefined>;
  /**
   * Saves what the run produced into the run directory (not after a `failed` run) and returns the
   * fields it adds to summary.json.
   */
  finish(summary: TrainSummary): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Frees the run's tensors and workers. */
  dispose(): void;
}
