import { readFileSync } from 'node:fs';
import { ConfigError } from '@metagrad/core';
import { EXIT_CODES } from './run/exit-codes.js';

/** Parses an integer flag; a bad value is a ConfigError naming the flag. */
export function intFlag(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new ConfigError(name, value, 'expected an integer');
    return n;
  };
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
