import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { backendFromEnvironment } from '../flags/backend-environment.js';
import { readConfigFile } from '../flags/config-file.js';
import type { RunFlags } from '../flags/run-flags.js';
import { flagValues, namedByFlag, resolveFlags, type SchemaFlag } from '../flags/schema-flags.js';
import {
  defaultRunDir,
  effectiveConfig,
  type RunConfigFile,
  readRunConfig,
  resumeChanges,
  type SettingChange,
} from './run-directory.js';

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
}

/** What differs between training commands when they are planned. */
export interface PlanSpec<S extends z.ZodObject> {
  schema: S;
  flags: SchemaFlag[];
  /** The config field naming a user module (`taskModule`, `envModule`) and how to load one. */
  module: { field: string; load: (path: string) => Promise<unknown> };
  /** Fills in defaults that depend on other settings, before validation. */
  adjust?: (values: Record<string, unknown>, stored: Record<string, unknown>) => void;
  /** Checks that need the whole config (e.g. sizes whose product is bounded). */
  validate?: (config: z.output<S>) => void;
  /** The default run directory's name, e.g. `l2l-quadratic`. */
  runName: (config: z.output<S>) => string;
}

/**
 * Resolves a training command's flags (commander's options, or the same fields from code) into a
 * plan: reads `--config` or the resumed run's settings, loads the user module it names, applies the
 * flags, validates everything (a bad value is a ConfigError naming its flag), and refuses changed
 * settings on a resume unless `allowChanges`. Nothing is written.
 */
export async function planTraining<S extends z.ZodObject>(
  options: Record<string, unknown> & RunFlags,
  spec: PlanSpec<S>,
): Promise<TrainingPlan<z.output<S>>> {
  const values = flagValues(options, spec.flags);
  const previous = options.resume ? readRunConfig(options.resume) : undefined;
  const stored = previous ? effectiveConfig(previous) : readConfigFile(options.config, spec.schema);
  if (!previous) backendFromEnvironment(values, stored);
  const field = spec.module.field;
  // Recorded as an absolute path, so that a resume from another directory finds it.
  if (typeof values[field] === 'string') values[field] = resolve(values[field] as string);
  const module = values[field] ?? stored[field];
  if (typeof module === 'string') await spec.module.load(module);
  spec.adjust?.(values, stored);
  const changes = previous
    ? [
        // A module that moved is the same setting at a new path: the flag wins, and config.json records both.
        ...resumeChanges(stored, pick(values, [field]), true),
        ...resumeChanges(stored, omit(values, [field]), options.allowChanges === true),
      ]
    : [];
  const config = resolveFlags(spec.schema, stored, values, spec.flags);
  try {
    spec.validate?.(config);
  } catch (error) {
    throw namedByFlag(error, spec.flags);
  }
  const runDir = options.resume ?? options.runDir ?? defaultRunDir(spec.runName(config));
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
  };
}

function pick(values: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => keys.includes(key)));
}

function omit(values: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !keys.includes(key)));
}
