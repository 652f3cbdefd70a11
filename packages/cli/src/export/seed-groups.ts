import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type MeanAndStandardError, meanAndStandardError } from '@metagrad/core';
import type { ComparisonReport } from '@metagrad/optimizers';
import type { z } from 'zod';
import { effectiveConfig, readRunConfig, readRunEvents } from '../run/run-directory.js';
import { trainerOfKind } from '../trainers/trainer-registry.js';
import { trainingSeconds } from './training-time.js';

/** What `runs compare` and `runs plot` need of one run directory. */
export interface RunRecord {
  dir: string;
  kind: string;
  /** The effective configuration (changes allowed on resume applied). */
  config: Record<string, unknown>;
  seed: string;
  /**
   * Held-out evaluations over training, in step order (after a resume, the evaluation logged last
   * for a step), with the seconds of training before each ({@link trainingSeconds}).
   */
  evaluations: { step: number; value: number; seconds: number }[];
  /** The objective's name and direction, from the evaluations. */
  objective: { name: string; higherIsBetter: boolean } | null;
  /** comparison.json of a finished l2l run: every optimizer on the run's test tasks. */
  comparison?: ComparisonReport;
}

/** Settings of every hosted run that are not part of what it trains: its seed and tensor backend. */
const HOST_SETTINGS = ['seed', 'backend'];

/** Reads a run directory; a ConfigError naming it if it is not a run or its log is corrupt. */
export function readRunRecord(dir: string): RunRecord {
  const file = readRunConfig(dir);
  const events = readRunEvents(dir);
  const seconds = trainingSeconds(events);
  const byStep = new Map<number, { step: number; value: number; seconds: number }>();
  events.forEach((e, i) => {
    if (e.type === 'evaluation')
      byStep.set(Number(e.step), { step: Number(e.step), value: Number(e.value), seconds: seconds[i]! });
  });
  const first = events.find((e) => e.type === 'evaluation');
  const comparisonPath = join(dir, 'comparison.json');
  return {
    dir,
    kind: file.kind,
    config: effectiveConfig(file),
    seed: String(file.seed),
    evaluations: [...byStep.values()].sort((a, b) => a.step - b.step),
    objective: first ? { name: String(first.name), higherIsBetter: first.higherIsBetter === true } : null,
    ...(existsSync(comparisonPath) && {
      comparison: JSON.parse(readFileSync(comparisonPath, 'utf8')) as ComparisonReport,
    }),
  };
}

/** Runs of one setting: the same kind and configuration but for the seed, backend and run settings. */
export interface SettingGroup {
  /** What sets this group apart from the others (`hidden=32`), or the runs' kind when alone. */
  label: string;
  runs: RunRecord[];
}

function settingOf(run: RunRecord): Record<string, unknown> {
  // A trainer not loaded in this process (a user's, without its module) names nothing of its own.
  const trainer = trainerOfKind(run.kind);
  const config = trainer ? withDefaults(trainer.schema, run.config) : run.config;
  const notTheSetting = new Set([
    ...HOST_SETTINGS,
    ...(trainer?.runSettings ?? []),
    ...(trainer?.unusedSettings?.(config) ?? []),
  ]);
  return Object.fromEntries(Object.entries(config).filter(([field]) => !notTheSetting.has(field)));
}

/**
 * `config` with each setting it lacks at the schema's default: a run recorded before a setting
 * existed ran as its default does (that is how a new setting's default is chosen), so it groups
 * and is labelled with the runs that state that default.
 */
function withDefaults(schema: z.ZodObject, config: Record<string, unknown>): Record<string, unknown> {
  const filled = { ...config };
  for (const [field, type] of Object.entries(schema.shape)) {
    if (field in filled) continue;
    const fallback = (type as z.ZodType).safeParse(undefined);
    if (fallback.success && fallback.data !== undefined) filled[field] = fallback.data;
  }
  return filled;
}

/**
 * Groups runs by setting, in the order their first run was given. Two runs of one setting with the
 * same seed are a ConfigError: seeds are what the group's standard errors are taken over.
 */
export function groupBySetting(runs: RunRecord[]): SettingGroup[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) {
    const key = JSON.stringify([run.kind, sortedEntries(settingOf(run))]);
    const group = groups.get(key) ?? [];
    // A copy of a run (or the same run named twice) would count one seed as several.
    const twin = group.find((other) => other.seed === run.seed);
    if (twin)
      throw new ConfigError(
        'dirs',
        run.dir,
        `has the same setting and seed ${run.seed} as ${twin.dir}: a setting's runs must differ in seed`,
      );
    groups.set(key, [...group, run]);
  }
  const settings = [...groups.values()].map((g) => settingOf(g[0]!));
  const differing = new Set(
    settings
      .flatMap((s) => Object.keys(s))
      .filter((field) => {
        // Among the settings that use the field: one that lacks it (unused by its algorithm) says nothing.
        const values = settings.filter((s) => field in s).map((s) => JSON.stringify(s[field]));
        return values.some((v) => v !== values[0]);
      }),
  );
  return [...groups.values()].map((runs, i) => {
    const described = [...differing]
      .sort()
      .filter((field) => field in settings[i]!)
      .map((field) => `${field}=${formatSetting(settings[i]![field])}`);
    return { label: described.join(' ') || runs[0]!.kind, runs };
  });
}

/**
 * Whether `a` and `b` were scored on the same held-out tasks: runs of one trainer with the same seed
 * that agree on the settings its descriptor names as fixing them (`evaluationSettings`).
 */
export function sharesEvaluationTasks(a: RunRecord, b: RunRecord): boolean {
  const fields = trainerOfKind(a.kind)?.evaluationSettings;
  if (a.kind !== b.kind || a.seed !== b.seed || !fields) return false;
  return fields.every((field) => JSON.stringify(a.config[field]) === JSON.stringify(b.config[field]));
}

/** The run's best held-out value (highest or lowest by its objective), or NaN without evaluations. */
export function bestValue(run: RunRecord): number {
  const values = run.evaluations.map((e) => e.value).filter(Number.isFinite);
  if (values.length === 0) return Number.NaN;
  return run.objective?.higherIsBetter ? Math.max(...values) : Math.min(...values);
}

/** How one group's score differs from a reference group's. */
export interface GroupDifference extends MeanAndStandardError {
  /** `paired`: run for run on the same seeds and evaluation tasks; otherwise two independent means. */
  method: 'paired' | 'unpaired';
}

/**
 * `group − reference` of `score`: paired over the seeds both groups ran on the same evaluation tasks
 * when every run has such a partner (task-to-task variance then cancels); otherwise the difference
 * of the two means with the standard error of independent samples.
 */
export function groupDifference(
  group: SettingGroup,
  reference: SettingGroup,
  score: (run: RunRecord) => number,
): GroupDifference {
  const partners = group.runs.map((run) => reference.runs.find((r) => sharesEvaluationTasks(run, r)));
  if (partners.every((p) => p !== undefined))
    return {
      ...meanAndStandardError(group.runs.map((run, i) => score(run) - score(partners[i]!))),
      method: 'paired',
    };
  const a = meanAndStandardError(group.runs.map(score));
  const b = meanAndStandardError(reference.runs.map(score));
  return { mean: a.mean - b.mean, stderr: Math.hypot(a.stderr, b.stderr), n: a.n + b.n, method: 'unpaired' };
}

/**
 * Mean ± standard error across runs at each x all of them have; `series` holds one run's points each.
 */
export function meanBand(
  series: { x: number; y: number }[][],
): { x: number; mean: number; stderr: number }[] {
  if (series.length === 0) return [];
  const byX = series.map((points) => new Map(points.map((p) => [p.x, p.y])));
  return series[0]!
    .map((p) => p.x)
    .filter((x) => byX.every((m) => m.has(x)))
    .map((x) => {
      const { mean, stderr } = meanAndStandardError(byX.map((m) => m.get(x)!));
      return { x, mean, stderr };
    });
}

function sortedEntries(record: Record<string, unknown>): [string, unknown][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1));
}

function formatSetting(value: unknown): string {
  return Array.isArray(value) ? value.join(',') : String(value);
}
