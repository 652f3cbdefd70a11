import { resolve } from 'node:path';
import { ConfigError, memberProblem } from '@metagrad/core';
import { importDefaultExport } from '../flags/import-default.js';
import { type AnyTrainer, registerTrainer } from './trainer-registry.js';

/** The members a `--trainer-module`'s default export must have to be hosted. */
const DESCRIPTOR_MEMBERS = {
  name: 'string',
  kind: 'string',
  description: 'string',
  unit: 'string',
  title: 'method',
  runName: 'method',
  checkpoints: 'method',
  start: 'method',
} as const;

const loaded = new Map<string, AnyTrainer>();

/**
 * Loads a `--trainer-module` (once per process and path): its default export is a
 * `TrainerDescriptor`, registered so that `metagrad <name> train` runs it. The module runs as code:
 * load only modules you trust. A missing file or a wrong export is a ConfigError naming the module.
 */
export async function loadTrainerModule(path: string): Promise<AnyTrainer> {
  const absolute = resolve(path);
  const known = loaded.get(absolute);
  if (known) return known;
  const exported = await importDefaultExport('trainer-module', path);
  const problem = memberProblem(exported, DESCRIPTOR_MEMBERS, 'a TrainerDescriptor');
  if (problem) throw new ConfigError('trainer-module', path, `its default export is ${problem}`);
  const schema = (exported as { schema?: { shape?: unknown } }).schema;
  if (typeof schema?.shape !== 'object')
    throw new ConfigError('trainer-module', path, 'its default export has no zod object schema');
  const trainer = exported as AnyTrainer;
  registerTrainer(trainer);
  loaded.set(absolute, trainer);
  return trainer;
}

/**
 * The `--trainer-module` paths on a command line, read before the command tree is built (a module's
 * trainer adds the command that the rest of the line runs).
 */
export function trainerModulesIn(argv: readonly string[]): string[] {
  const paths: string[] = [];
  argv.forEach((arg, i) => {
    if (arg === '--trainer-module' && argv[i + 1] !== undefined) paths.push(argv[i + 1]!);
    else if (arg.startsWith('--trainer-module=')) paths.push(arg.slice('--trainer-module='.length));
  });
  return paths;
}
