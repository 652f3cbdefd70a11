import { ConfigError } from '@metagrad/core';
import { Queue } from 'bullmq';
import { checkRedis, queueConnection, type RedisTarget } from '../redis/redis-url.js';
import type { TrainerConfig } from '../run/training-plan.js';
import type { SweepRun } from './sweep-runs.js';

/** The BullMQ queue every sweep's runs wait in: any `metagrad worker` on the same Redis takes them. */
export const SWEEP_QUEUE = 'metagrad-sweeps';

/** What a sweep job carries: everything a worker needs to run it, and nothing secret. */
export interface SweepJobData {
  sweep: string;
  runId: string;
  trainer: string;
  config: TrainerConfig;
  varying: Record<string, unknown>;
}

/** A sweep job's progress: the run's progress events, summarised. */
export interface SweepJobProgress {
  step: number;
  total: number;
  /** The best evaluation so far (its name, value and direction), null before the first. */
  best: { name: string; value: number; higherIsBetter: boolean } | null;
}

/** What a finished sweep job returns (and `sweep status` shows). */
export interface SweepJobResult {
  /** The run directory, relative to the worker's runs root. */
  runDir: string;
  status: string;
  steps: number;
  best: SweepJobProgress['best'];
}

/** What Redis keeps of a sweep: its runs and what varies, for `sweep status` and `sweep watch`. */
export interface SweepManifest {
  name: string;
  trainer: string;
  created: string;
  runs: { id: string; varying: Record<string, unknown> }[];
}

const manifestKey = (name: string) => `metagrad:sweep:${name}`;

/**
 * Sweep jobs are idempotent (a run resumes from its checkpoint, a finished run returns its summary),
 * so BullMQ may deliver one more than once: a few attempts with backoff survive a transient
 * failure (a full disk, a lost connection), and a run that fails for its own reasons is not retried.
 */
const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 10_000 },
  removeOnComplete: false,
  removeOnFail: false,
} as const;

/** The sweep queue on `target`. */
export function sweepQueue(target: RedisTarget): Queue<SweepJobData, SweepJobResult> {
  return new Queue(SWEEP_QUEUE, { connection: queueConnection(target) });
}

/**
 * What every sweep command does around its work: checks that the server answers (a one-line
 * ConfigError naming `--redis` otherwise), opens the sweep queue, runs `use`, and closes the queue.
 */
export async function withSweepQueue<T>(
  target: RedisTarget,
  use: (queue: Queue<SweepJobData, SweepJobResult>) => Promise<T>,
): Promise<T> {
  await checkRedis('redis', target);
  const queue = sweepQueue(target);
  try {
    return await use(queue);
  } finally {
    await queue.close();
  }
}

/**
 * Records a sweep and enqueues one job per run, its id the run's id: a run already queued, running
 * or done (by this sweep, or by another with the same resolved config) is not added again.
 * Returns how many jobs were added.
 */
export async function enqueueSweep(
  queue: Queue<SweepJobData, SweepJobResult>,
  name: string,
  trainer: string,
  runs: SweepRun[],
): Promise<{ added: number; existing: number }> {
  const client = await queue.getBackend().client;
  const previous = await readSweepManifest(queue, name);
  const known = new Map((previous?.runs ?? []).map((r) => [r.id, r]));
  for (const run of runs) known.set(run.id, { id: run.id, varying: run.varying });
  const manifest: SweepManifest = {
    name,
    trainer,
    created: previous?.created ?? new Date().toISOString(),
    runs: [...known.values()],
  };
  await client.set(manifestKey(name), JSON.stringify(manifest));
  let added = 0;
  for (const run of runs) {
    if (await queue.getJob(run.id)) continue;
    const data: SweepJobData = {
      sweep: name,
      runId: run.id,
      trainer: run.trainer,
      config: run.config,
      varying: run.varying,
    };
    await queue.add(run.id, data, { ...JOB_OPTIONS, jobId: run.id });
    added++;
  }
  return { added, existing: runs.length - added };
}

/** The sweep recorded as `name`, or undefined. */
export async function readSweepManifest(
  queue: Queue<SweepJobData, SweepJobResult>,
  name: string,
): Promise<SweepManifest | undefined> {
  const text = await (await queue.getBackend().client).get(manifestKey(name));
  return text ? (JSON.parse(text) as SweepManifest) : undefined;
}

/** One run of a sweep as `sweep status` shows it. */
export interface SweepRunState {
  id: string;
  varying: Record<string, unknown>;
  /** BullMQ's state: waiting, active, completed, failed, delayed; `missing` if the job was removed. */
  state: string;
  progress: SweepJobProgress | null;
  result: SweepJobResult | null;
  attempts: number;
  failure: string | null;
}

/** Sweep `name` and its runs' states; a ConfigError if there is no such sweep on `target`. */
export async function readSweep(
  queue: Queue<SweepJobData, SweepJobResult>,
  target: RedisTarget,
  name: string,
): Promise<{ manifest: SweepManifest; states: SweepRunState[] }> {
  const manifest = await readSweepManifest(queue, name);
  if (!manifest) throw new ConfigError('sweep', name, `no such sweep on ${target.redacted}`);
  return { manifest, states: await sweepRunStates(queue, manifest) };
}

/** Every run of sweep `name` with its job's state, progress and result, in the sweep's order. */
export async function sweepRunStates(
  queue: Queue<SweepJobData, SweepJobResult>,
  manifest: SweepManifest,
): Promise<SweepRunState[]> {
  return Promise.all(
    manifest.runs.map(async ({ id, varying }) => {
      // The state first: once it is final (failed, completed), the job read after it holds that
      // outcome's attempts and result. Read the other way round, a job failing in between shows
      // as failed with the attempts of before.
      const state = await queue.getJobState(id);
      const job = await queue.getJob(id);
      if (!job || state === 'unknown')
        return { id, varying, state: 'missing', progress: null, result: null, attempts: 0, failure: null };
      const progress =
        typeof job.progress === 'object' ? (job.progress as unknown as SweepJobProgress) : null;
      return {
        id,
        varying,
        state,
        progress,
        result: job.returnvalue ?? null,
        attempts: job.attemptsMade,
        failure: job.failedReason ?? null,
      };
    }),
  );
}
