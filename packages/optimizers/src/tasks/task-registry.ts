import { ConfigError, Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Dataset } from '../data/dataset.js';
import { loadDigits } from '../data/digits.js';
import { loadIdxDataset } from '../data/idx.js';
import { MLP_ACTIVATIONS, MlpFamily } from './mlp.js';
import { QuadraticFamily } from './quadratic.js';
import type { TaskFamily } from './task.js';
import { componentsOf, TaskMixture } from './task-mixture.js';

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
  architectures: z
    .string()
    .regex(
      /^\d+(,\d+)*(\/\d+(,\d+)*)*$/,
      'hidden sizes per layer, "/" between architectures, e.g. 20/40/20,20',
    )
    .refine(
      (text) => parseArchitectures(text).every((a) => a.length <= 16 && a.every((h) => h >= 1 && h <= 4096)),
      'at most 16 layers of 1–4096 units each',
    )
    .optional()
    .describe('MLP: meta-train across architectures, e.g. 20/40/20,20 (default: --hidden only)'),
  activations: z
    .array(z.enum(MLP_ACTIVATIONS))
    .min(1)
    .max(3)
    .optional()
    .describe('MLP: meta-train across activations, e.g. sigmoid,relu (default: --activation only)'),
  batchSizes: z
    .array(z.number().int().positive().max(1e5))
    .min(1)
    .max(16)
    .optional()
    .describe('MLP: meta-train across minibatch sizes, e.g. 64,128 (default: --batch-size only)'),
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
      return mlpFamilies(dataset, settings);
    },
  ],
]);

/** `20/40/20,20` → [[20], [40], [20, 20]]: hidden sizes per layer, `/` between architectures. */
function parseArchitectures(text: string): number[][] {
  return text.split('/').map((a) => a.split(',').map(Number));
}

/** The MLP family the settings describe: one architecture, or a {@link TaskMixture} across several. */
function mlpFamilies(dataset: Dataset, settings: TaskSettings): TaskFamily {
  const architectures = settings.architectures?.split('/').map((a) => a.split(',').map(Number)) ?? [
    settings.hidden,
  ];
  for (const hidden of architectures)
    if (hidden.length > 16 || hidden.some((h) => h < 1 || h > 4096))
      throw new ConfigError(
        'architectures',
        settings.architectures,
        'at most 16 layers of 1–4096 units each',
      );
  const families = architectures.flatMap((hidden) =>
    (settings.activations ?? [settings.activation]).flatMap((activation) =>
      (settings.batchSizes ?? [settings.batchSize]).map(
        (batchSize) => new MlpFamily(dataset, { hidden, activation, batchSize }),
      ),
    ),
  );
  return families.length === 1 ? families[0]! : new TaskMixture(families);
}

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
 * instance of the family (of its largest component, for a mixture) holds and scales it by
 * `instances + evalInstances`.
 */
export function checkTaskSize(family: TaskFamily, instances: number, evalInstances: number): void {
  let perInstance = 0;
  for (const component of componentsOf(family)) {
    const before = tf.memory().numBytes;
    const one = component.sample(new Rng('size-probe'), 1);
    const initial = one.initialParams();
    perInstance = Math.max(perInstance, tf.memory().numBytes - before);
    initial.dispose();
    one.dispose();
  }
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
