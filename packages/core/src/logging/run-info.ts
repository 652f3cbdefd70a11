import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import * as tf from '@tensorflow/tfjs';

/** The metagrad release these packages belong to: @metagrad/core's version (one level above `src/` and `dist/`). */
export const METAGRAD_VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;

/** Where and with what a run was made; stored in every run's `config.json`. */
export interface RunInfo {
  metagradVersion: string;
  tfjsVersion: string;
  /** Active tfjs backend id at the time of the call. */
  backend: string;
  /** Git commit of the working tree, when run from a checkout. */
  gitCommit?: string;
  node: string;
  platform: string;
  cpu: string;
  cores: number;
  host: string;
  startedAt: string;
}

/**
 * Collects the facts a run must record for reproducibility: versions, backend, git commit
 * (when available), machine.
 *
 * @example
 * ```ts
 * writeFileAtomic('config.json', JSON.stringify({ config, seed, run: describeRun() }, null, 2));
 * ```
 */
export function describeRun(): RunInfo {
  const info: RunInfo = {
    metagradVersion: METAGRAD_VERSION,
    tfjsVersion: tf.version.tfjs,
    backend: tf.getBackend(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    host: hostname(),
    startedAt: new Date().toISOString(),
  };
  const commit = gitCommit();
  if (commit) info.gitCommit = commit;
  return info;
}

function gitCommit(): string | undefined {
  try {
    const result = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', timeout: 2000 });
    const out = result.status === 0 ? result.stdout.trim() : '';
    return /^[0-9a-f]{40}$/.test(out) ? out : undefined;
  } catch {
    return undefined;
  }
}
