import { ConfigError } from '@metagrad/core';
import {
  loadDigits,
  loadIdxDataset,
  MLP_ACTIVATIONS,
  MlpFamily,
  QuadraticFamily,
  type TaskFamily,
} from '@metagrad/optimizers';
import type { Command } from 'commander';
import { z } from 'zod';
import { intFlag, intListFlag } from '../options.js';

/** Task settings shared by `l2l train` and `l2l eval`. */
export const taskSchema = z.object({
  task: z.enum(['quadratic', 'mlp']).default('quadratic'),
  /** Quadratics: dimension n. */
  dims: z.number().int().positive().default(10),
  /** MLP: hidden units per layer. */
  hidden: z.array(z.number().int().positive()).min(1).default([20]),
  activation: z.enum(MLP_ACTIVATIONS).default('sigmoid'),
  batchSize: z.number().int().positive().default(128),
  /** MLP: a directory of MNIST-style IDX files instead of the bundled digits. */
  data: z.string().optional(),
});

export type TaskSettings = z.output<typeof taskSchema>;

/** Builds the task family a run or evaluation uses. */
export function buildTaskFamily(settings: TaskSettings): TaskFamily {
  if (settings.task === 'quadratic') return new QuadraticFamily({ dims: settings.dims });
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
}

/** Declares the task flags `l2l train` and `l2l eval` share. */
export function addTaskOptions(command: Command): Command {
  return command
    .option('--task <name>', 'task family: quadratic | mlp')
    .option('--dims <n>', 'quadratic dimension; default 10', intFlag('dims'))
    .option('--hidden <list>', 'MLP hidden units per layer; default 20', intListFlag('hidden'))
    .option('--activation <name>', 'MLP activation: sigmoid | relu | tanh')
    .option('--batch-size <n>', 'MLP minibatch size; default 128', intFlag('batch-size'))
    .option('--data <dir>', 'MLP: directory of MNIST-style IDX files (default: bundled UCI digits)');
}
