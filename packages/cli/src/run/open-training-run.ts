import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AdapterRecord,
  type CheckpointStore,
  ConfigError,
  DirectoryLock,
  type EventSink,
  JsonlWriter,
  type LoadedCheckpoint,
  type RunEvent,
  removeLeftoverTempFiles,
  type TrainSummary,
  writeFileAtomic,
} from '@metagrad/core';
import { TensorBoardSink } from '../export/tensorboard-sink.js';
import { redactRedisUrl } from '../redis/redis-url.js';
import { assertWritable, createRunDirectory, RUN_FILES, recordChanges } from './run-directory.js';
import type { TrainingPlan } from './training-plan.js';

/**
 * Writes summary.json, the same for every trainer: the status, steps done, the best evaluation
 * (name, value, direction), skipped updates, seconds and backend, then anything the command adds.
 */
export function writeRunSummary(
  dir: string,
  summary: TrainSummary,
  backend: string,
  extra: Record<string, unknown> = {},
): void {
  const file = {
    status: summary.reason,
    ...(summary.failure && { failure: summary.failure }),
    steps: summary.steps,
    best: summary.best,
    skippedUpdates: summary.skippedTotal,
    seconds: summary.ms / 1000,
    backend,
    ...extra,
  };
  writeFileAtomic(join(dir, RUN_FILES.summary), `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * Training failed (its weights stopped being finite, or the GPU device failed): the run is marked
 * failed, nothing was saved as a result, and its last checkpoint remains (exit 1).
 */
export class TrainingFailedError extends Error {
  constructor(dir: string, failure = 'the weights stopped being finite') {
    super(`training failed in ${dir}: ${failure}; the last checkpoint remains, resumable with --resume`);
    this.name = 'TrainingFailedError';
  }
}

/** A run directory opened for training: locked, its log ready to append, its resume point loaded. */
export interface TrainingRun<E extends RunEvent> {
  dir: string;
  checkpointDir: string;
  /** The checkpoint to continue from (undefined for a new run, or a resumed one that had none yet). */
  resume: LoadedCheckpoint | undefined;
  /** metrics.jsonl, cut back to what the resume point had logged. */
  metrics: JsonlWriter<E>;
  /** The run's own event sinks: metrics.jsonl and, with `--tensorboard`, the live event file. */
  sinks: EventSink<E>[];
  /** Plain JSON every checkpoint records: the log's length, so a resume can cut replayed events. */
  checkpointNotes: () => Record<string, unknown>;
  /**
   * Closes the log and releases the directory's lock. A new run that never logged its start (it
   * failed before training began) is removed, so that a retry with the same `--run-dir` works.
   */
  close(): void;
}

/** What a command adds to its plan to open the run: what it is, and where its checkpoints go. */
export interface RunIdentity {
  /** `l2l-train`, `rl2-train`. */
  kind: string;
  /** A short description for dashboards and lists. */
  title: string;
  /** The backend in use, what it runs on, and on webgpu the adapter. */
  backend: string;
  device: string;
  adapter?: AdapterRecord | undefined;
  /** The trainer's checkpoint store in a checkpoint directory. */
  store: (checkpointDir: string) => CheckpointStore;
}

/**
 * Opens a run directory for training, the same way for every trainer: a new run gets its
 * directory and config.json; a resumed one is locked first, then its newest valid checkpoint is
 * loaded (naming any newer files that were unusable), and only then are allowed setting changes
 * appended to config.json and to the log. The log is cut back to the length the checkpoint
 * recorded, so events the resumed run replays are not logged twice.
 */
export function openTrainingRun<E extends RunEvent>(
  plan: TrainingPlan<{ seed: number | string }>,
  identity: RunIdentity,
): TrainingRun<E> {
  const { runDir: dir, previous, changes, config } = plan;
  const record = {
    kind: identity.kind,
    title: identity.title,
    command: process.argv.slice(2).map(redactRedisUrl),
    config,
    seed: config.seed,
    backend: identity.backend,
    device: identity.device,
    ...(identity.adapter && { adapter: identity.adapter }),
  };
  const warn = (line: string) => process.stderr.write(`${line}\n`);
  const existed = existsSync(dir);
  // Only a directory that was missing or empty becomes this run's (createRunDirectory refuses others).
  const fresh = !previous && (!existed || (statSync(dir).isDirectory() && readdirSync(dir).length === 0));
  // A new run that fails before it starts leaves nothing behind: a retry with the same --run-dir works.
  const discard = () => {
    if (!fresh || !existsSync(dir)) return;
    if (!existed) rmSync(dir, { recursive: true, force: true });
    else for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
  };
  assertWritable(dir, previous ? 'resume' : 'run-dir', dir);
  let lock: DirectoryLock | undefined;
  try {
    if (!previous) createRunDirectory(dir, { ...record, changes: [] });
    lock = DirectoryLock.acquire(dir);
    const checkpointDir = join(dir, RUN_FILES.checkpoints);
    const store = identity.store(checkpointDir);
    let resume: LoadedCheckpoint | undefined;
    if (previous) {
      // Temp files of a killed writer: harmless, but a run directory should hold only what it says.
      for (const where of [dir, checkpointDir]) removeLeftoverTempFiles(where);
      try {
        resume = store.latest();
      } catch (error) {
        throw new ConfigError('resume', dir, (error as Error).message);
      }
      for (const r of resume?.rejected ?? []) warn(`skipping ${r.problem}`);
      warn(
        resume
          ? `resuming from ${resume.path} (step ${resume.data.step})`
          : 'no checkpoint yet: starting the run again from the beginning',
      );
    }
    const loggedBytes = resume?.data.state.metricsBytes;
    const metrics = new JsonlWriter<E>(join(dir, RUN_FILES.metrics), {
      truncateTo: previous ? (typeof loggedBytes === 'number' ? loggedBytes : 0) : undefined,
    });
    if (previous && changes.length > 0) {
      recordChanges(dir, previous, changes);
      metrics.emit({ type: 'settings-changed', time: Date.now(), changes } as unknown as E);
    }
    const tensorboard = plan.tensorboard ? new TensorBoardSink(plan.tensorboard) : undefined;
    return {
      dir,
      checkpointDir,
      resume,
      metrics,
      sinks: tensorboard ? [metrics, tensorboard] : [metrics],
      checkpointNotes: () => {
        metrics.sync();
        return { metricsBytes: metrics.bytes };
      },
      close: () => {
        const started = metrics.bytes > 0;
        metrics.close();
        tensorboard?.close();
        lock?.release();
        if (!started) discard();
      },
    };
  } catch (error) {
    lock?.release();
    discard();
    throw error;
  }
}
