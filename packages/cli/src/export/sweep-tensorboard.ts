import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConfigError } from '@metagrad/core';
import { effectiveConfig, readRunConfig, readRunEvents } from '../run/run-directory.js';
import { describeRunDirectory, findRunDirectories } from '../run/run-summary.js';
import { canonicalJson } from '../sweep/sweep-runs.js';
import { type HParamValue, SESSION_STATUS, writeHParamsExperiment, writeHParamsSession } from './hparams.js';
import { scalarsFromEvents } from './scalars.js';
import { writeTensorBoardScalars } from './tensorboard.js';

/** What a sweep's TensorBoard export wrote. */
export interface SweepExport {
  runs: number;
  hparams: string[];
  metrics: string[];
}

function asHParam(value: unknown): HParamValue {
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean'
    ? value
    : JSON.stringify(value);
}

/**
 * Writes a folder of runs (a sweep's `<runs-root>/<sweep>`) as a TensorBoard log directory for the
 * HParams dashboard: one session per run (its scalars, the settings that vary across the runs, its
 * status), runs that differ only in seed grouped, and the experiment (every varying setting with its
 * values; the held-out objective and its best value as metrics) at the root. `outDir` must be new
 * or empty: a second export beside a first would show every run twice.
 */
export function exportSweepToTensorBoard(sweepDir: string, outDir: string): SweepExport {
  const dirs = findRunDirectories(sweepDir).sort();
  if (dirs.length === 0) throw new ConfigError('sweep-dir', sweepDir, 'holds no run directories');
  if (existsSync(outDir) && readdirSync(outDir).length > 0)
    throw new ConfigError(
      'out',
      outDir,
      'is not empty; a second export beside the first would show every run twice',
    );
  const runs = dirs.map((dir) => ({
    dir,
    config: effectiveConfig(readRunConfig(dir)),
    events: readRunEvents(dir),
    overview: describeRunDirectory(dir),
  }));
  const keys = [...new Set(runs.flatMap((r) => Object.keys(r.config)))].sort();
  const differs = (key: string) => new Set(runs.map((r) => canonicalJson(r.config[key] ?? null))).size > 1;
  const varying = keys.filter(differs);
  if (varying.length === 0) varying.push('seed');
  const objective = runs.map((r) => r.overview.bestLabel).find((label) => label !== 'best') ?? 'best';
  const evaluationTag = `evaluation/${objective}`;
  const bestTag = `best/${objective}`;
  for (const { dir, config, events, overview } of runs) {
    const points = scalarsFromEvents(events);
    const times = events.map((e) => e.time).filter((t): t is number => typeof t === 'number');
    const start = (times[0] ?? Date.now()) / 1000;
    const end = (times.at(-1) ?? Date.now()) / 1000;
    const lastStep = Math.max(0, ...points.map((p) => p.step));
    if (overview.best !== null)
      points.push({ tag: bestTag, step: lastStep, value: overview.best, wallTime: end });
    const session = join(outDir, basename(dir));
    writeTensorBoardScalars(session, points);
    const hparams = Object.fromEntries(varying.map((k) => [k, asHParam(config[k] ?? null)]));
    const { seed: _seed, ...setting } = hparams;
    writeHParamsSession(session, {
      name: basename(dir),
      hparams,
      group: canonicalJson(setting),
      status:
        overview.status === 'completed'
          ? SESSION_STATUS.success
          : overview.status === 'failed'
            ? SESSION_STATUS.failure
            : overview.status === 'incomplete'
              ? SESSION_STATUS.running
              : SESSION_STATUS.unknown,
      startSeconds: start,
      endSeconds: end,
      modelUri: resolve(dir),
    });
  }
  writeHParamsExperiment(outDir, {
    name: basename(resolve(sweepDir)),
    description: `metagrad runs in ${sweepDir}`,
    createdSeconds:
      Math.min(...runs.map((r) => (r.events[0]?.time as number | undefined) ?? Date.now())) / 1000,
    hparams: varying.map((name) => ({
      name,
      values: [...new Set(runs.map((r) => asHParam(r.config[name] ?? null)))],
    })),
    metrics: [
      { tag: evaluationTag, displayName: objective, validation: true },
      { tag: bestTag, displayName: `best ${objective}`, validation: true },
    ],
  });
  return { runs: runs.length, hparams: varying, metrics: [evaluationTag, bestTag] };
}
