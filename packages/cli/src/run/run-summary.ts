import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl } from '@metagrad/core';
import { RUN_FILES, readRunConfig } from './run-directory.js';

/** What `runs list` and `runs show` say about one run directory. */
export interface RunOverview {
  dir: string;
  kind: string;
  /** `failed`: the weights stopped being finite; `unreadable`: see {@link RunOverview.problem}. */
  status: 'completed' | 'stopped' | 'failed' | 'incomplete' | 'unreadable';
  /** Why the run directory could not be read (status `unreadable`). */
  problem?: string;
  /** The run's headline number: best held-out log10 final loss (l2l) or best held-out mean reward (rl2). */
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

/** Reads a run directory's config, summary and metrics into an overview. */
export function describeRunDirectory(dir: string): RunOverview {
  const config = readRunConfig(dir);
  const metricsPath = join(dir, RUN_FILES.metrics);
  const { records, truncatedTail } = readJsonl<Record<string, unknown>>(metricsPath);
  const summaryPath = join(dir, RUN_FILES.summary);
  let status: RunOverview['status'] = 'incomplete';
  let best: number | null = null;
  if (existsSync(summaryPath)) {
    try {
      const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as Record<string, unknown>;
      if (summary.status === 'completed' || summary.status === 'stopped' || summary.status === 'failed')
        status = summary.status;
      const value = summary.bestLog10FinalLoss ?? summary.best;
      if (typeof value === 'number') best = value;
    } catch {
      status = 'incomplete';
    }
  }
  if (best === null) {
    for (const e of records) {
      if (e.type !== 'evaluation') continue;
      const value =
        typeof e.log10FinalLoss === 'number' ? e.log10FinalLoss : typeof e.mean === 'number' ? e.mean : null;
      if (value === null) continue;
      const better =
        config.kind === 'rl2-train' ? best === null || value > best : best === null || value < best;
      if (better) best = value;
    }
  }
  const mtime = existsSync(metricsPath)
    ? statSync(metricsPath).mtimeMs
    : statSync(join(dir, RUN_FILES.config)).mtimeMs;
  return {
    dir,
    kind: config.kind,
    status,
    best,
    bestLabel: config.kind === 'rl2-train' ? 'best held-out mean reward' : 'best held-out log10 final loss',
    events: records.length,
    ageSeconds: (Date.now() - mtime) / 1000,
    truncatedTail,
  };
}

/** Run directories directly under `root` (those holding a config.json), newest first. */
export function findRunDirectories(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, RUN_FILES.config)))
    .sort(
      (a, b) => statSync(join(b, RUN_FILES.config)).mtimeMs - statSync(join(a, RUN_FILES.config)).mtimeMs,
    );
}
