// Persistent-ES particles' inner runs kept on the gradient worker that advances them, so that between
// truncations they stay there as tensors instead of travelling to the training thread and back.
import { disposeInnerRun, type InnerRun } from '../meta/meta-gradient.js';
import type { InnerRunData } from './inner-run-data.js';

/** A run a worker keeps: the step it has reached (the training thread holds no copy). */
export interface ResidentRun {
  resident: true;
  step: number;
}

/** How a particle's run travels in a request: as data, or as a reference to the one the worker keeps. */
export type ShippedRun = InnerRunData | ResidentRun;

/**
 * Whose runs a worker keeps: an estimator's id and the generation of its particles (a new epoch or
 * a restore starts a new one, and the worker drops the older one's runs).
 */
export interface RunKeeper {
  owner: string;
  generation: number;
}

export function isResident(run: object): run is ResidentRun {
  return (run as Partial<ResidentRun>).resident === true;
}

const kept = new Map<string, { generation: number; runs: Map<string, InnerRun> }>();

/** The runs `keeper` keeps on this worker, by key; an older generation's are dropped first. */
function runsOf(keeper: RunKeeper): Map<string, InnerRun> {
  const entry = kept.get(keeper.owner);
  if (entry?.generation === keeper.generation) return entry.runs;
  if (entry) dropRuns(keeper.owner);
  const runs = new Map<string, InnerRun>();
  kept.set(keeper.owner, { generation: keeper.generation, runs });
  return runs;
}

/** Keeps `run` as `keeper`'s run `key` (replacing and freeing the one kept before). */
export function keepRun(keeper: RunKeeper, key: string, run: InnerRun): ResidentRun {
  const runs = runsOf(keeper);
  const previous = runs.get(key);
  if (previous && previous !== run) disposeInnerRun(previous);
  runs.set(key, run);
  return { resident: true, step: run.step };
}

/**
 * `keeper`'s run `key`, which must be at `step`: a worker that does not hold it (another process, a
 * restarted thread) or holds it at another step says so rather than computing from the wrong run.
 */
export function keptRun(keeper: RunKeeper, key: string, step: number): InnerRun {
  const entry = kept.get(keeper.owner);
  const run = entry?.generation === keeper.generation ? entry.runs.get(key) : undefined;
  if (!run || run.step !== step)
    throw new Error(
      `particle run ${key} of estimator ${keeper.owner} (generation ${keeper.generation}) is not kept on this worker at step ${step}${run ? ` (it is at step ${run.step})` : ''}`,
    );
  return run;
}

/** Frees every run `owner` keeps on this worker. */
export function dropRuns(owner: string): void {
  const entry = kept.get(owner);
  if (!entry) return;
  for (const run of entry.runs.values()) disposeInnerRun(run);
  kept.delete(owner);
}
