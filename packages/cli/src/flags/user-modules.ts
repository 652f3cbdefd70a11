import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '@metagrad/core';
import { registerTaskFamily, type TaskFamilyFactory } from '@metagrad/optimizers';
import { type EnvFactory, registerEnv } from '@metagrad/rl';

/** What a `--task-module` or `--env-module` file exports by default. */
export interface UserModule<F> {
  /** The name `--task` / `--env` selects it by. */
  name: string;
  /** Builds the task family or environment from the run's settings. */
  create: F;
}

const loaded = new Map<string, string>();

async function load<F>(flag: string, path: string): Promise<UserModule<F>> {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new ConfigError(flag, path, 'no such file');
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
  } catch (error) {
    throw new ConfigError(flag, path, `could not be loaded: ${(error as Error).message}`);
  }
  const exported = module.default as Partial<UserModule<F>> | undefined;
  if (typeof exported?.name !== 'string' || typeof exported.create !== 'function')
    throw new ConfigError(flag, path, 'must export default { name: string, create(settings) }');
  return exported as UserModule<F>;
}

/**
 * Loads a `--task-module` (once per process and path) and registers its task family; returns the
 * name it registered. The module runs as code: load only modules you trust.
 */
export async function loadTaskModule(path: string): Promise<string> {
  const absolute = resolve(path);
  const known = loaded.get(absolute);
  if (known) return known;
  const module = await load<TaskFamilyFactory>('task-module', path);
  registerTaskFamily(module.name, module.create);
  loaded.set(absolute, module.name);
  return module.name;
}

/** Loads an `--env-module` (once per process and path) and registers its environment; returns its name. */
export async function loadEnvModule(path: string): Promise<string> {
  const absolute = resolve(path);
  const known = loaded.get(absolute);
  if (known) return known;
  const module = await load<EnvFactory>('env-module', path);
  registerEnv(module.name, module.create);
  loaded.set(absolute, module.name);
  return module.name;
}
