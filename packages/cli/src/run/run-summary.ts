import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type JsonlContents, readJsonl, type TrainEvent } from '@metagrad/core';
import { RUN_FILES, readRunConfig } from './run-directory.js';

/** What `runs list` and `runs show` say about one run directory. */
export interface RunOverview {
  dir: string;
  kind: string;
  /** `failed`: the weights stopped being finite; `unreadable`: see {@link RunOverview.problem}. */
  status: 'completed' | 'stopped' | 'failed' | 'incomplete' | 'unreadable';
  /** Why the run directory could not be read (status `unreadable`). */
  problem?: string;
  /** The run's best evaluation (its objective, named by {@link bestLabel}). */
  best: number | null;
  bestLabel: string;
  events: number;
  /** Seconds since the last write to metrics.jsonl. */
  ageSeconds: number;
  truncatedTail: boolean;
}

/** {@link describeRunDirectory}, or an `unreadable` overview saying why, so one broken run never hides the others. */
export function describeRunDirectorySafely(dir: string): RunOverview {
  try {
    return describeRunDirectory(dir);
  } catch (error) {
    return {
      dir,
      kind: '?',
      status: 'unreadable',
      problem: (error as Error).message,
      best: null,
      bestLabel: '',
      events: 0,
      ageSeconds: Number.NaN,
      truncatedTail: false,
    };
  }
}

/** Reads a run directory's config, summary and metrics into an overview (the one event protocol; no trainer-specific fields). */
export function describeRunDirectory(dir: string): RunOverview {
  const config = readRunConfig(dir);
  const metricsPath = join(dir, RUN_FILES.metrics);
  let contents: JsonlContents<TrainEvent>;
  try {
    contents = readJsonl<TrainEvent>(metricsPath);
  } catch (error) {
    throw new ConfigError('run-dir', dir, `${RUN_FILES.metrics} is corrupt (${(error as Error).message})`);
  }
  const { records, truncatedTail } = contents;
  const summaryPath = join(dir, RUN_FILES.summary);
  let status: RunOverview['status'] = 'incomplete';
  let best: { name: string; value: number } | null = null;
  if (existsSync(summaryPath)) {
    try {
      const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as {
        status?: unknown;
        best?: { name?: unknown; value?: unknown } | null;
      };
      if (summary.status === 'completed' || summary.status === 'stopped' || summary.status === 'failed')
        status = summary.status;
      if (typeof summary.best?.value === 'number' && typeof summary.best.name === 'string')
        best = { name: summary.best.name, value: summary.best.value };
    } catch {
      status = 'incomplete';
    }
  }
  if (best === null) {
    // A run still going (or killed): the best evaluation logged so far.
    for (const e of records) {
      if (e.type !== 'evaluation' || !Number.isFinite(e.value)) continue;
      if (best === null || (e.higherIsBetter ? e.value > best.value : e.value < best.value))
        best = { name: e.name, value: e.value };
    }
  }
  const mtime = existsSync(metricsPath)
    ? statSync(metricsPath).mtimeMs
    : statSync(join(dir, RUN_FILES.config)).mtimeMs;
  return {
    dir,
    kind: config.kind,
    status,
    best: best?.value ?? null,
    bestLabel: best?.name ?? 'best',
    events: records.length,
    ageSeconds: (Date.now() - mtime) / 1000,
    truncatedTail,
  };
}

/** Run directories directly under `root` (those holding a config.json), newest first; a missing root is a ConfigError. */
export function findRunDirectories(root: string): string[] {
  if (!existsSync(root)) throw new ConfigError('root', root, 'no such directory');
  if (!statSync(root).isDirectory())
    throw new ConfigError('root', root, 'is a file, not a directory of runs');
  return readdirSync(root)
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, RUN_FILES.config)))
    .sort(
      (a, b) => statSync(join(b, RUN_FILES.config)).mtimeMs - statSync(join(a, RUN_FILES.config)).mtimeMs,
    );
}

/**
 * The run directories `paths` name: a run directory itself, or a folder of runs (a sweep's
 * `<runs-root>/<sweep>`) as its runs in name order. A path that is neither is a ConfigError.
 */
export function expandRunDirectories(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    if (existsSync(join(path, RUN_FILES.config)) || !existsSync(path) || !statSync(path).isDirectory())
      return [path];
    const runs = findRunDirectories(path).sort();
    if (runs.length === 0)
      throw new ConfigError(
        'run-dir',
        path,
        `no ${RUN_FILES.config}: neither a run directory nor a folder of runs`,
      );
    return runs;
  });
}
