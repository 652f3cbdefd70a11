import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { readJsonl } from '@metagrad/core';
import { parseRedisUrl } from '../redis/redis-url.js';
import { readSweepManifest, type SweepRunState, sweepQueue, sweepRunStates } from '../sweep/sweep-queue.js';
import { MAIN, NODE, TS_LOADER } from './run-metagrad.js';

/** A real `metagrad worker` process on `redis`, its output collected. Test utility. */
export function startWorker(
  redis: string,
  runsRoot: string,
  ...extra: string[]
): ChildProcess & { output: string } {
  const child = spawn(
    NODE,
    [...TS_LOADER, MAIN, 'worker', '--redis', redis, '--runs-root', runsRoot, ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  ) as ChildProcess & { output: string };
  child.output = '';
  const collect = (chunk: Buffer) => {
    child.output += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return child;
}

/** Stops a worker process with `signal` and waits for it to exit. Test utility. */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** Polls `check` every 200 ms until it returns a value, or throws after `seconds`. Test utility. */
export async function waitFor<T>(
  what: string,
  seconds: number,
  check: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The runs of sweep `name` on `redis` with their jobs' states. Test utility. */
export async function sweepStates(redis: string, name: string): Promise<SweepRunState[]> {
  const queue = sweepQueue(parseRedisUrl('redis', redis));
  try {
    const manifest = await readSweepManifest(queue, name);
    return manifest ? await sweepRunStates(queue, manifest) : [];
  } finally {
    await queue.close();
  }
}

/** The states once every run of the sweep has finished (completed or failed). Test utility. */
export function sweepFinished(redis: string, name: string, seconds: number): Promise<SweepRunState[]> {
  return waitFor(`sweep ${name} to finish`, seconds, async () => {
    const states = await sweepStates(redis, name);
    return states.length > 0 && states.every((s) => s.state === 'completed' || s.state === 'failed')
      ? states
      : undefined;
  });
}

/** The `end` events of a run directory's log: exactly one for a run that completed once. Test utility. */
export function endEvents(runDir: string): Record<string, unknown>[] {
  return readJsonl<Record<string, unknown>>(join(runDir, 'metrics.jsonl')).records.filter(
    (e) => e.type === 'end',
  );
}
