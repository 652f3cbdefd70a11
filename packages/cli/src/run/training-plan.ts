import { join, resolve } from 'node:path';
import { ConfigError } from '@metagrad/core';
import { checkGradientQueue, parseGradientQueue, useGradientQueue } from '../distributed/gradient-queue.js';
import { backendFromEnvironment } from '../flags/backend-environment.js';
import { readConfigFile } from '../flags/config-file.js';
import type { RunFlags } from '../flags/run-flags.js';
import { flagValues, namedByFlag, resolveFlags } from '../flags/schema-flags.js';
import { loadUserModule } from '../flags/user-modules.js';
import { hostedSchema, trainerFlags } from '../trainers/trainer-flags.js';
import type { AnyTrainer } from '../trainers/trainer-registry.js';
import {
  defaultRunDir,
  effectiveConfig,
  type RunConfigFile,
  readRunConfig,
  resumeChanges,
  type SettingChange,
} from './run-directory.js';

/** A hosted trainer's settings: its own, the seed and the backend the CLI adds, read as a plain record. */
export type TrainerConfig = Record<string, unknown> & { seed: number | string; backend: string };

/** A training command resolved in the main thread: the validated config and where the run goes. */
export interface TrainingPlan<C> {
  config: C;
  runDir: string;
  previous?: RunConfigFile;
  changes: SettingChange[];
  json: boolean;
  tui: boolean;
  /** Where live TensorBoard event files go (`--tensorboard`); none without it. */
  tensorboard?: string;
  /** Gradient workers on a queue (`--gradient-queue`), and how long a shard may take. */
  gradientQueue?: { url: string; timeoutSeconds: number };
}

/**
 * Resolves a training command's flags (commander's options, or the same fields from code) into a
 * plan: reads `--config` (or takes `settings`, a sweep's resolved run, already checked for unknown
 * keys) or the resumed run's settings, loads the user module it names, applies the
 * flags, validates everything (a bad value is a ConfigError naming its flag), and refuses changed
 * settings on a resume unless `allowChanges`. Nothing is written.
 */
export async function planTraining(
  options: Record<string, unknown> & RunFlags,
  trainer: AnyTrainer,
  settings?: Record<string, unknown>,
): Promise<TrainingPlan<TrainerConfig>> {
  const gradientQueue = await gradientQueueOf(options);
  const schema = hostedSchema(trainer);
  const flags = trainerFlags(trainer);
  const values = flagValues(options, flags);
  const previous = options.resume ? readRunConfig(options.resume) : undefined;
  const stored = previous ? effectiveConfig(previous) : (settings ?? readConfigFile(options.config, schema));
  if (!previous) backendFromEnvironment(values, stored);
  const moduleFields = trainer.userModule ? [trainer.userModule.field] : [];
  for (const field of moduleFields) {
    // Recorded as an absolute path, so that a resume from another directory finds it.
    if (typeof values[field] === 'string') values[field] = resolve(values[field] as string);
    const module = values[field] ?? stored[field];
    if (typeof module === 'string') await loadUserModule(trainer, module);
  }
  trainer.withDefaults?.(
    values,
    stored,
    previous ? 'resume' : options.config || settings ? 'config' : 'none',
  );
  const changes = previous
    ? [
        // A module that moved is the same setting at a new path: the flag wins, and config.json records both.
        ...resumeChanges(stored, pick(values, moduleFields), true),
        ...resumeChanges(stored, omit(values, moduleFields), options.allowChanges === true),
      ]
    : [];
  const config = resolveFlags(schema, stored, values, flags) as TrainerConfig;
  try {
    trainer.check?.(config);
  } catch (error) {
    throw namedByFlag(error, flags);
  }
  const runDir = options.resume ?? options.runDir ?? defaultRunDir(trainer.runName(config));
  const tensorboard =
    typeof options.tensorboard === 'string'
      ? resolve(options.tensorboard)
      : options.tensorboard === true
        ? join(runDir, 'tensorboard')
        : undefined;
  return {
    config,
    runDir,
    ...(previous && { previous }),
    changes,
    json: options.json === true,
    tui: options.tui !== false,
    ...(tensorboard && { tensorboard }),
    ...(gradientQueue && { gradientQueue }),
  };
}

/**
 * `--gradient-queue`, checked (its Redis answers) and put in use before the settings are
 * validated: with remote workers, `workers` counts shards, not this machine's cores.
 */
async function gradientQueueOf(options: RunFlags): Promise<TrainingPlan<unknown>['gradientQueue']> {
  if (options.gradientQueue === undefined) return undefined;
  const timeoutSeconds = Number(options.gradientTimeout ?? 120);
  if (!(timeoutSeconds > 0))
    throw new ConfigError('gradient-timeout', options.gradientTimeout, 'expected a number of seconds > 0');
  const queue = parseGradientQueue('gradient-queue', options.gradientQueue);
  await checkGradientQueue('gradient-queue', queue);
  useGradientQueue(queue, timeoutSeconds);
  return { url: options.gradientQueue, timeoutSeconds };
}

function pick(values: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => keys.includes(key)));
}

function omit(values: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !keys.includes(key)));
}
