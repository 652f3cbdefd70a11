import { resolve } from 'node:path';
import { ConfigError } from '@metagrad/core';
import { l2lTraining } from '@metagrad/optimizers';
import { rl2Training } from '@metagrad/rl';
import type { AnyTrainer } from '../trainers/trainer-registry.js';
import { importDefaultExport } from './import-default.js';

/** What a `--task-module` or `--env-module` file exports by default. */
export interface UserModule {
  /** The name `--task` / `--env` selects it by. */
  name: string;
  /** Builds the task family or environment from the run's settings. */
  create: (settings: unknown) => unknown;
}

const loaded = new Map<string, string>();

/** `taskModule` → `task-module`: the flag of a trainer's module setting. */
export const moduleFlag = (field: string) => field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Loads the user module a trainer's settings name (once per process and path) and registers what it
 * adds through the trainer (which checks what `create()` returns); returns the name it registered.
 * The module runs as code: load only modules you trust.
 */
export async function loadUserModule(trainer: AnyTrainer, path: string): Promise<string> {
  const hook = trainer.userModule;
  if (!hook) throw new Error(`${trainer.name} takes no user module`);
  const flag = moduleFlag(hook.field);
  const absolute = resolve(path);
  const known = loaded.get(absolute);
  if (known) return known;
  const exported = (await importDefaultExport(flag, path)) as Partial<UserModule> | undefined;
  if (typeof exported?.name !== 'string' || typeof exported.create !== 'function')
    throw new ConfigError(flag, path, 'must export default { name: string, create(settings) }');
  hook.register(path, exported.name, exported.create);
  loaded.set(absolute, exported.name);
  return exported.name;
}

/** Loads a `--task-module` and registers its task family; returns the name it registered. */
export function loadTaskModule(path: string): Promise<string> {
  return loadUserModule(l2lTraining, path);
}

/** Loads an `--env-module` and registers its environment; returns its name. */
export function loadEnvModule(path: string): Promise<string> {
  return loadUserModule(rl2Training, path);
}
