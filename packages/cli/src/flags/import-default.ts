import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@metagrad/core';

/**
 * The default export of the module a flag names (`--task-module`, `--env-module`,
 * `--trainer-module`). A missing file or a module that fails to load is a ConfigError naming the
 * flag and the path (exit 2). The module runs as code: load only modules you trust.
 */
export async function importDefaultExport(flag: string, path: string): Promise<unknown> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new ConfigError(flag, path, 'no such file');
  try {
    return ((await import(pathToFileURL(absolute).href)) as { default?: unknown }).default;
  } catch (error) {
    throw new ConfigError(flag, path, `could not be loaded: ${(error as Error).message}`);
  }
}
