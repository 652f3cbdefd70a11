import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ConfigError } from '@metagrad/core';
import type { z } from 'zod';

/** A config file is a few kilobytes of JSON; anything past this is not one. */
export const MAX_CONFIG_BYTES = 1 << 20;

/**
 * Reads a JSON config file given with `--config` and checks its keys against `schema`'s fields.
 * Refused as ConfigErrors (exit 2): a path that is not a regular file (a directory, `/dev/zero`, a
 * pipe), a file over {@link MAX_CONFIG_BYTES}, text that is not a JSON object, and a key the
 * command does not know (a typo would otherwise be ignored and its default used), named with the
 * nearest known setting. A UTF-8 byte-order mark, as some editors write, is skipped.
 */
export function readConfigFile(path: string | undefined, schema: z.ZodObject): Record<string, unknown> {
  if (!path) return {};
  const config = readJsonObjectFile('config', path);
  checkKnownSettings(config, schema, path);
  return config;
}

/**
 * Refuses a key of `config` that `schema` does not know (a typo would otherwise be ignored and its
 * default used), naming the nearest known setting: a ConfigError `config.<key>` naming `where`.
 */
export function checkKnownSettings(
  config: Record<string, unknown>,
  schema: z.ZodObject,
  where: string,
): void {
  const known = Object.keys(schema.shape);
  for (const key of Object.keys(config)) {
    if (known.includes(key)) continue;
    const near = nearest(key, known);
    throw new ConfigError(
      `config.${key}`,
      config[key],
      `unknown setting in ${where}${near ? `; did you mean "${near}"?` : ''}`,
    );
  }
}

/**
 * Reads a small JSON file that must hold an object (a config file, a sweep spec); anything else is
 * a ConfigError naming `field` and the path: not a regular file, over {@link MAX_CONFIG_BYTES}, or
 * not a JSON object. A UTF-8 byte-order mark, as some editors write, is skipped.
 */
export function readJsonObjectFile(field: string, path: string): Record<string, unknown> {
  return parseObject(field, path, readLimited(field, path));
}

function readLimited(field: string, path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new ConfigError(
      field,
      path,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    // fstat on the open file: what is checked is what is read.
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new ConfigError(field, path, 'is not a regular file');
    if (stat.size > MAX_CONFIG_BYTES)
      throw new ConfigError(
        field,
        path,
        `is ${stat.size} bytes; a config file may hold at most ${MAX_CONFIG_BYTES}`,
      );
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n)
      n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_CONFIG_BYTES)
      throw new ConfigError(field, path, `grew past ${MAX_CONFIG_BYTES} bytes while being read`);
    return buffer.toString('utf8', 0, length).replace(/^\uFEFF/, '');
  } finally {
    closeSync(fd);
  }
}

function parseObject(field: string, path: string, text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error('not a JSON object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(field, path, `is not a valid JSON object (${(error as Error).message})`);
  }
}

/** The known name closest to `key` by edit distance, if it is close enough to be the one meant. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = row;
  }
  return previous[b.length]!;
}
