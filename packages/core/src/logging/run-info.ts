import * as tf from '@tensorflow/tfjs';
import { platform } from '#platform';
import type { KernelArithmetic } from '../kernels/kernel-arithmetic.js';
import { kernelArithmetic } from '../kernels/recurrent-kernels.js';

/**
 * The metagrad release these packages belong to. It is @metagrad/core's `version`, written here so
 * that a browser bundle needs no file read (a test keeps the two equal).
 */
export const METAGRAD_VERSION = '0.1.0';

/** Where and with what a run was made; stored in every run's `config.json`. */
export interface RunInfo {
  metagradVersion: string;
  tfjsVersion: string;
  /** Active tfjs backend id at the time of the call. */
  backend: string;
  /** How the WebAssembly kernels (wasm and cpu backends) multiply and add on this machine. */
  kernelArithmetic: KernelArithmetic;
  /** Git commit of the working tree, when run from a checkout. */
  gitCommit?: string;
  /** The JavaScript runtime: Node's version, or a browser's user agent. */
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
    kernelArithmetic: kernelArithmetic(),
    ...machine(),
    startedAt: new Date().toISOString(),
  };
  const commit = platform.gitCommit();
  if (commit) info.gitCommit = commit;
  return info;
}

function machine(): Pick<RunInfo, 'node' | 'platform' | 'cpu' | 'cores' | 'host'> {
  const { runtime, ...rest } = platform.describeMachine();
  return { node: runtime, ...rest };
}
