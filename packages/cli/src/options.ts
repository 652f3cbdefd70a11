import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig } from '@metagrad/core';
import type { z } from 'zod';
import { EXIT_CODES } from './run/exit-codes.js';

/** Help text of `--kernels`, shared by every training command. */
export const KERNELS_HELP =
  'recurrent ops: fused (SIMD WebAssembly, wasm and cpu backends) | composite (tfjs ops) | auto; default auto';

/** Help text of `--workers`, shared by every training command. */
export const WORKERS_HELP =
  "gradient worker threads (each step's tasks or trials split across them; 1: none); default: one per core";

/** Parses an integer flag; a bad value is a ConfigError naming the flag. */
export function intFlag(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new ConfigError(name, value, 'expected an integer');
    return n;
  };
}

/** Parses a number flag. */
export function numberFlag(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new ConfigError(name, value, 'expected a number');
    return n;
  };
}

/** A `--seed` value: an integer when it looks like one, else the string itself. */
export function seedFlag(seed: string | undefined): number | string | undefined {
  if (seed === undefined) return undefined;
  return /^-?\d+$/.test(seed) ? Number(seed) : seed;
}

/**
 * Stops `stop` gracefully on the first Ctrl-C (or SIGTERM, as `kill` and job schedulers send),
 * passing the signal, and exits at once (130) on the second. Returns a function that removes the
 * handlers.
 */
export function onInterrupt(what: string, stop: (signal: NodeJS.Signals) => void): () => void {
  let interrupts = 0;
  const handler = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(
        `\nstopping after this ${what} and writing a checkpoint (Ctrl-C again to quit now)\n`,
      );
      stop(signal);
    } else {
      process.exit(EXIT_CODES.interrupted);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Parses a comma-separated list of integers, e.g. `--hidden 20,20`. */
export function intListFlag(name: string) {
  return (value: string): number[] =>
    value.split(',').map((part) => {
      const n = Number(part);
      if (!Number.isInteger(n)) throw new ConfigError(name, value, 'expected comma-separated integers');
      return n;
    });
}

/** Reads a JSON config file given with `--config`; unreadable or corrupt files are ConfigErrors. */
export function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      'config',
      path,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError('config', path, `is not a valid JSON object (${(error as Error).message})`);
  }
}

/** Merges a config file with flags (flags win; undefined flags are ignored) and validates. */
export function mergeConfig<S extends z.ZodType>(
  schema: S,
  file: Record<string, unknown>,
  flags: Record<string, unknown>,
): z.output<S> {
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  return parseConfig(schema, { ...file, ...defined });
}
