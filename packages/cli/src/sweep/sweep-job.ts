import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type TrainEvent } from '@metagrad/core';
import { TrainingFailedError } from '../run/open-training-run.js';
import { RUN_FILES } from '../run/run-directory.js';
import { runTrainer } from '../run/run-trainer.js';
import { planTraining } from '../run/training-plan.js';
import { trainerNamed } from '../trainers/trainer-registry.js';
import type { SweepJobData, SweepJobProgress, SweepJobResult } from './sweep-queue.js';

/**
 * A run failed for its own reasons (its settings, its weights no longer finite): running it again
 * gives the same result. Named as BullMQ's UnrecoverableError, which BullMQ recognises by name
 * across a sandboxed processor's process boundary, so the job fails at once instead of retrying.
 */
export class RunFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnrecoverableError';
  }
}

/** The environment variable by which `metagrad worker` tells its sandboxed children where runs go. */
export const RUNS_ROOT_VARIABLE = 'METAGRAD_SWEEP_RUNS_ROOT';

/** The run directory of a sweep job, relative to the runs root: `<sweep>/<run id>`. */
export function sweepRunDir(data: Pick<SweepJobData, 'sweep' | 'runId'>): string {
  return join(data.sweep, data.runId);
}

/** How a sweep job reports progress and learns it should stop (the worker is shutting down). */
export interface SweepJobHooks {
  progress(progress: SweepJobProgress): void | Promise<void>;
  /** Receives the run's stop control once training starts. */
  onStop?: (stop: () => void) => void;
}

/**
 * Runs one sweep job in this process as a normal run directory under `runsRoot`, idempotently: a
 * new run starts; a run with a directory resumes from its newest checkpoint (a worker died, or
 * BullMQ delivered the job again); a run that already completed returns its summary without
 * training. A run that fails for its own reasons throws {@link RunFailedError}; one stopped before
 * it completed (its worker is shutting down) throws a plain error, so BullMQ retries it and the
 * next worker resumes it.
 */
export async function runSweepJob(
  data: SweepJobData,
  runsRoot: string,
  hooks: SweepJobHooks,
): Promise<SweepJobResult> {
  const relative = sweepRunDir(data);
  const dir = join(runsRoot, relative);
  const finished = readSummary(dir);
  if (finished?.status === 'completed') return { runDir: relative, ...finished };
  if (finished?.status === 'failed')
    throw new RunFailedError(`${relative} failed earlier: see its summary.json`);
  const trainer = trainerNamed(data.trainer);
  const resume = existsSync(join(dir, RUN_FILES.config));
  let progress: SweepJobProgress = { step: 0, total: 0, best: null };
  let reported = 0;
  const report = (force: boolean) => {
    if (!force && Date.now() - reported < 1_000) return;
    reported = Date.now();
    void Promise.resolve(hooks.progress(progress)).catch(() => {});
  };
  try {
    const plan = resume
      ? await planTraining({ resume: dir, json: true, tui: false }, trainer)
      : await planTraining({ runDir: dir, json: true, tui: false }, trainer, data.config);
    const status = await runTrainer(trainer, plan, {
      sinks: [
        {
          emit: (event: TrainEvent) => {
            if (event.type === 'start') progress = { ...progress, step: event.startStep, total: event.total };
            else if (event.type === 'progress') progress = { ...progress, step: event.step };
            else if (event.type === 'evaluation' && event.best) {
              const { name, value, higherIsBetter } = event;
              progress = { ...progress, best: { name, value, higherIsBetter } };
            }
            report(event.type !== 'progress');
          },
        },
      ],
      print: () => {},
      beforeStep: () => new Promise((resolve) => setImmediate(resolve)),
      onControls: (controls) => hooks.onStop?.(controls.stop),
      plainProgress: false,
    });
    report(true);
    if (status === 'stopped')
      throw new Error(`${relative} was stopped before it completed; it resumes from its checkpoint`);
  } catch (error) {
    if (error instanceof TrainingFailedError || error instanceof ConfigError)
      throw new RunFailedError(`${relative}: ${(error as Error).message}`);
    throw error;
  }
  const summary = readSummary(dir);
  if (!summary) throw new Error(`${relative} completed without a ${RUN_FILES.summary}`);
  return { runDir: relative, ...summary };
}

function readSummary(dir: string): Omit<SweepJobResult, 'runDir'> | undefined {
  const path = join(dir, RUN_FILES.summary);
  if (!existsSync(path)) return undefined;
  const summary = JSON.parse(readFileSync(path, 'utf8')) as {
    status: string;
    steps: number;
    best: SweepJobProgress['best'];
  };
  return {
    status: summary.status,
    steps: summary.steps,
    best: summary.best && {
      name: summary.best.name,
      value: summary.best.value,
      higherIsBetter: summary.best.higherIsBetter,
    },
  };
}
