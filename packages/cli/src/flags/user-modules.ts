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

/** What each member of the object `create()` returns must be: a method, a name, or a count. */
type Member = 'function' | 'string' | 'count' | 'positive count';

const TASK_FAMILY_MEMBERS: Record<string, Member> = {
  name: 'string',
  sample: 'function',
  describe: 'function',
  dispose: 'function',
};

const ENV_MEMBERS: Record<string, Member> = {
  name: 'string',
  numActions: 'positive count',
  observationSize: 'count',
  episodeLength: 'positive count',
  sampleTasks: 'function',
  describe: 'function',
};

/**
 * Checks the object a user module's `create()` returned before metagrad uses it, so that a wrong
 * one is a ConfigError naming the module and the member it lacks (exit 2), not an internal error
 * deep inside training.
 */
function checked<T>(
  flag: string,
  path: string,
  made: unknown,
  members: Record<string, Member>,
  what: string,
): T {
  if (typeof made !== 'object' || made === null)
    throw new ConfigError(
      flag,
      path,
      `create() returned ${made === null ? 'null' : typeof made}, not ${what}`,
    );
  const object = made as Record<string, unknown>;
  for (const [member, kind] of Object.entries(members)) {
    const value = object[member];
    const ok =
      kind === 'function' || kind === 'string'
        ? typeof value === kind
        : Number.isSafeInteger(value) && (value as number) >= (kind === 'count' ? 0 : 1);
    if (!ok) {
      const expected =
        kind === 'function'
          ? 'a method'
          : kind === 'string'
            ? 'a string'
            : `a ${kind === 'count' ? 'non-negative' : 'positive'} integer`;
      throw new ConfigError(
        flag,
        path,
        `create() returned ${what} whose ${member} is ${value === undefined ? 'missing' : (JSON.stringify(value) ?? typeof value)}; expected ${expected}`,
      );
    }
  }
  return made as T;
}

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
  registerTaskFamily(module.name, (settings) =>
    checked('task-module', path, module.create(settings), TASK_FAMILY_MEMBERS, 'a TaskFamily'),
  );
  loaded.set(absolute, module.name);
  return module.name;
}

/** Loads an `--env-module` (once per process and path) and registers its environment; returns its name. */
export async function loadEnvModule(path: string): Promise<string> {
  const absolute = resolve(path);
  const known = loaded.get(absolute);
  if (known) return known;
  const module = await load<EnvFactory>('env-module', path);
  registerEnv(module.name, (settings) =>
    checked('env-module', path, module.create(settings), ENV_MEMBERS, 'an Env'),
  );
  loaded.set(absolute, module.name);
  return module.name;
}
