import { ConfigError, Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { loadDigits } from '../data/digits.js';
import { loadIdxDataset } from '../data/idx.js';
import { MLP_ACTIVATIONS, MlpFamily } from './mlp.js';
import { QuadraticFamily } from './quadratic.js';
import type { TaskFamily } from './task.js';

/** Task settings of `l2l train` and `l2l eval`; every field's description is its `--flag` help. */
export const taskSettingsSchema = z.object({
  task: z
    .string()
    .min(1)
    .default('quadratic')
    .describe('task family: quadratic, mlp, or a name registered with registerTaskFamily'),
  dims: z.number().int().positive().max(1000).default(10).describe('quadratics: dimension n'),
  hidden: z
    .array(z.number().int().positive().max(4096))
    .min(1)
    .max(16)
    .default([20])
    .describe('MLP: hidden units per layer'),
  activation: z.enum(MLP_ACTIVATIONS).default('sigmoid').describe('MLP: activation'),
  batchSize: z.number().int().positive().max(1e5).default(128).describe('MLP: minibatch size'),
  data: z
    .string()
    .optional()
    .describe('MLP: a directory of MNIST-style IDX files (default: the bundled UCI digits)'),
});

/** Task settings, defaults filled in. */
export type TaskSettings = z.output<typeof taskSettingsSchema>;

/** Builds a task family from settings. */
export type TaskFamilyFactory = (settings: TaskSettings) => TaskFamily;

const factories = new Map<string, TaskFamilyFactory>([
  ['quadratic', (settings) => new QuadraticFamily({ dims: settings.dims })],
  [
    'mlp',
    (settings) => {
      let dataset: ReturnType<typeof loadDigits>;
      try {
        dataset = settings.data ? loadIdxDataset(settings.data, 'train') : loadDigits();
      } catch (error) {
        throw new ConfigError('data', settings.data, (error as Error).message);
      }
      return new MlpFamily(dataset, {
        hidden: settings.hidden,
        activation: settings.activation,
        batchSize: settings.batchSize,
      });
    },
  ],
]);

/**
 * Makes a task family available by name, to meta-training, evaluation and the CLI (`--task NAME`,
 * or `--task-module ./my-task.mjs`, whose default export names and builds one). Built in:
 * `quadratic` (random ‖Wθ − y‖²) and `mlp` (small MLPs on the bundled digits or IDX data).
 *
 * @example
 * ```ts
 * registerTaskFamily('rosenbrock', () => new RosenbrockFamily());
 * ```
 */
export function registerTaskFamily(name: string, factory: TaskFamilyFactory): void {
  if (factories.has(name)) throw new ConfigError('task', name, 'is already registered');
  factories.set(name, factory);
}

/** The registered task family names. */
export function taskFamilyNames(): string[] {
  return [...factories.keys()];
}

/** The most memory the tasks of one meta-step may take (training and validation instances together). */
export const MAX_TASK_BYTES = 2 ** 31;

/**
 * Refuses task batches too large to hold in memory, naming `instances`: measures what one sampled
 * instance of the family holds and scales it by `instances + evalInstances`.
 */
export function checkTaskSize(family: TaskFamily, instances: number, evalInstances: number): void {
  const before = tf.memory().numBytes;
  const one = family.sample(new Rng('size-probe'), 1);
  const initial = one.initialParams();
  const perInstance = tf.memory().numBytes - before;
  initial.dispose();
  one.dispose();
  const bytes = perInstance * (instances + evalInstances);
  if (bytes > MAX_TASK_BYTES)
    throw new ConfigError(
      'instances',
      instances,
      `${instances} + ${evalInstances} instances of ${family.name} take about ${(bytes / 2 ** 30).toFixed(1)} GiB, more than ${MAX_TASK_BYTES / 2 ** 30} GiB; lower instances or the task's size`,
    );
}

/** Builds the task family settings name; an unknown name is a ConfigError listing the known ones. */
export function taskFamilyFor(settings: TaskSettings): TaskFamily {
  const factory = factories.get(settings.task);
  if (!factory)
    throw new ConfigError('task', settings.task, `known task families: ${taskFamilyNames().join(', ')}`);
  return factory(settings);
}
