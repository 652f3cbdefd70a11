import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type AdapterRecord, ConfigError, describeRun, readJsonl, writeFileAtomic } from '@metagrad/core';

/** Files every run directory holds. */
export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  checkpoints: 'checkpoints',
  summary: 'summary.json',
} as const;

/**
 * What `config.json` records: the resolved configuration as the run started, seed, backend and
 * versions. A resume never rewrites these; settings it was allowed to change are appended to
 * `changes` (see {@link effectiveConfig}).
 */
export interface RunConfigFile {
  kind: string;
  /** A short description for dashboards and lists, e.g. `l2l quadratic`, `rl2 bandit n=10 k=5`. */
  title?: string;
  command: string[];
  config: Record<string, unknown>;
  seed: number | string;
  backend: string;
  /** What the backend ran on (a WebGPU adapter, WebAssembly with SIMD), as it started. */
  device?: string;
  /** On webgpu: the adapter (vendor, architecture, hardware or software), as it started. */
  adapter?: AdapterRecord;
  /** Settings changed on `--resume --allow-changes`, oldest first. */
  changes?: SettingChange[];
  run: ReturnType<typeof describeRun>;
}

/** One setting a resume changed. */
export interface SettingChange {
  time: string;
  field: string;
  from: unknown;
  to: unknown;
}

/** A run's settings now: its starting config with every recorded change applied in order. */
export function effectiveConfig(file: RunConfigFile): Record<string, unknown> {
  const config = { ...file.config };
  for (const change of file.changes ?? []) config[change.field] = change.to;
  return config;
}

/**
 * The settings `flags` would change in a run's stored config. A resume continues the same run,
 * so a change is refused (a ConfigError naming the field) unless `allowChanges`; allowed changes
 * are returned for config.json to record.
 */
export function resumeChanges(
  stored: Record<string, unknown>,
  flags: Record<string, unknown>,
  allowChanges: boolean,
): SettingChange[] {
  const time = new Date().toISOString();
  const changes: SettingChange[] = [];
  for (const [field, value] of Object.entries(flags)) {
    if (value === undefined || JSON.stringify(value) === JSON.stringify(stored[field])) continue;
    if (!allowChanges) {
      throw new ConfigError(
        field,
        value,
        `the run in progress has ${JSON.stringify(stored[field])}; pass --allow-changes to resume with another value`,
      );
    }
    changes.push({ time, field, from: stored[field], to: value });
  }
  return changes;
}

/**
 * Creates a fresh run directory and writes its `config.json` atomically. A directory that
 * already holds a run (or any other files) is refused, so nothing written earlier is
 * overwritten; continuing a run goes through `--resume`. A path under a file is a ConfigError.
 */
export function createRunDirectory(dir: string, config: Omit<RunConfigFile, 'run'>): string {
  const path = resolve(dir);
  assertDirectoryPath(dir);
  if (existsSync(path) && readdirSync(path).length > 0) {
    const what = existsSync(join(path, RUN_FILES.config)) ? 'holds another run' : 'is not empty';
    throw new ConfigError(
      'run-dir',
      dir,
      `${what}; pass --resume ${dir} to continue it, or choose another directory`,
    );
  }
  mkdirSync(path, { recursive: true });
  writeRunConfig(path, config);
  return path;
}

/** Writes a new run's config.json, describing the process that starts it. */
export function writeRunConfig(dir: string, config: Omit<RunConfigFile, 'run'>): void {
  const file: RunConfigFile = { ...config, run: describeRun() };
  writeFileAtomic(join(dir, RUN_FILES.config), `${JSON.stringify(file, null, 2)}\n`);
}

/** Appends settings a resume changed to config.json; everything else in it stays as it was. */
export function recordChanges(dir: string, file: RunConfigFile, changes: SettingChange[]): void {
  if (changes.length === 0) return;
  const next: RunConfigFile = { ...file, changes: [...(file.changes ?? []), ...changes] };
  writeFileAtomic(join(dir, RUN_FILES.config), `${JSON.stringify(next, null, 2)}\n`);
}

/**
 * Refuses, before anything is written, a path whose directory cannot be written: on a read-only
 * file system, or not writable by this user. The error names `field` and `value` (exit 2), where
 * the operating system's own (EROFS, or ENOENT from a recursive mkdir there) would not say why.
 */
export function assertWritable(path: string, field: string, value: string): void {
  let current = resolve(path);
  while (!existsSync(current) && dirname(current) !== current) current = dirname(current);
  try {
    accessSync(current, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EROFS') throw new ConfigError(field, value, `${current} is on a read-only file system`);
    if (code === 'EACCES' || code === 'EPERM')
      throw new ConfigError(field, value, `${current} is read-only for this user (${code})`);
    throw error;
  }
}

/** Refuses a directory path that passes through a file (`--run-dir file.txt/run`). */
function assertDirectoryPath(dir: string): void {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(current)) {
      if (!statSync(current).isDirectory())
        throw new ConfigError('run-dir', dir, `${current} is a file, not a directory`);
      return;
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** Reads a run's config.json; a missing or corrupt file is a ConfigError naming the directory. */
export function readRunConfig(dir: string): RunConfigFile {
  const path = join(dir, RUN_FILES.config);
  if (!existsSync(path))
    throw new ConfigError('run-dir', dir, `no ${RUN_FILES.config}: not a metagrad run directory`);
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as RunConfigFile;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.config !== 'object') {
      throw new Error('missing "config"');
    }
    return parsed;
  } catch (error) {
    throw new ConfigError('run-dir', dir, `${RUN_FILES.config} is corrupt (${(error as Error).message})`);
  }
}

/** A default run directory name: runs/<prefix>-<timestamp>. */
export function defaultRunDir(prefix: string): string {
  return join('runs', `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}`);
}

/** A run's events (metrics.jsonl); a ConfigError naming the directory if it is not a run or the log is corrupt. */
export function readRunEvents(dir: string): Record<string, unknown>[] {
  readRunConfig(dir);
  try {
    return readJsonl<Record<string, unknown>>(join(dir, RUN_FILES.metrics)).records;
  } catch (error) {
    throw new ConfigError('run-dir', dir, `${RUN_FILES.metrics} is corrupt (${(error as Error).message})`);
  }
}
