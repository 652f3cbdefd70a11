import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, Rng } from '@metagrad/core';
import {
  BASELINE_NAMES,
  BASELINES,
  type BaselineName,
  loadLearnedOptimizer,
  type Optimizer,
  runOptimizer,
  tuneLearningRate,
} from '@metagrad/optimizers';
import type { Command } from 'commander';
import { z } from 'zod';
import { addTaskOptions, buildTaskFamily, taskSchema } from '../l2l/task-factory.js';
import { intFlag, mergeConfig, numberFlag, readConfigFile, seedFlag } from '../options.js';
import { chooseBackend } from '../run/backend-choice.js';

/** Learning rates used for baselines when neither --lr nor --tune-lr is given. */
const DEFAULT_RATES: Record<BaselineName, number> = {
  sgd: 0.01,
  momentum: 0.01,
  nag: 0.01,
  rmsprop: 0.01,
  adam: 0.1,
};

const evalSchema = z.object({
  ...taskSchema.shape,
  optimizer: z.string().min(1),
  steps: z.number().int().positive().default(100),
  instances: z.number().int().positive().default(128),
  seed: z.union([z.number().int(), z.string().min(1)]).default(0),
  lr: z.number().positive().optional(),
  tuneLr: z.boolean().default(false),
  threshold: z.number().positive().optional(),
  backend: z.string().default('wasm'),
});

interface EvalFlags {
  task?: string;
  optimizer?: string;
  steps?: number;
  instances?: number;
  seed?: string;
  lr?: number;
  tuneLr?: boolean;
  threshold?: number;
  dims?: number;
  hidden?: number[];
  activation?: string;
  batchSize?: number;
  data?: string;
  backend?: string;
  config?: string;
  json?: boolean;
}

/** Resolves --optimizer: a baseline name, or a run directory (its best/ or optimizer/), or a saved optimizer directory. */
function resolveLearned(path: string): string {
  for (const candidate of [join(path, 'best'), join(path, 'optimizer'), path]) {
    if (existsSync(join(candidate, 'optimizer.json'))) return candidate;
  }
  throw new ConfigError(
    'optimizer',
    path,
    `is neither a baseline (${BASELINE_NAMES.join(', ')}) nor a run or optimizer directory`,
  );
}

/** `metagrad l2l eval`: one optimizer on held-out tasks, as a table line or JSON. */
export function registerL2lEvalCommand(l2l: Command): void {
  addTaskOptions(l2l.command('eval'))
    .description('evaluate a learned optimizer or a hand-designed baseline on held-out tasks')
    .requiredOption('--optimizer <name|dir>', `RUN_DIR or ${BASELINE_NAMES.join(' | ')}`)
    .option('--steps <n>', 'inner steps; default 100', intFlag('steps'))
    .option('--instances <n>', 'held-out task instances; default 128', intFlag('instances'))
    .option('--seed <s>', 'root seed of the held-out tasks; default 0')
    .option('--lr <x>', 'learning rate for a baseline', numberFlag('lr'))
    .option('--tune-lr', 'tune the baseline learning rate on separate tasks first')
    .option('--threshold <x>', 'loss threshold for steps-to-threshold', numberFlag('threshold'))
    .option('--backend <name>', 'wasm | cpu | tensorflow | cuda | auto; default wasm')
    .option('--config <file>', 'JSON file with any of these settings (flags win)')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  $ metagrad l2l eval --task quadratic --optimizer runs/l2l-quadratic-2026-11-26T08-00-00 --json
  $ metagrad l2l eval --task quadratic --optimizer adam --tune-lr`,
    )
    .action(async (flags: EvalFlags) => {
      const config = mergeConfig(evalSchema, readConfigFile(flags.config), {
        ...flags,
        seed: seedFlag(flags.seed),
        json: undefined,
        config: undefined,
      });
      const backend = await chooseBackend(config.backend);
      const family = buildTaskFamily(config);
      const root = new Rng(config.seed);
      let optimizer: Optimizer;
      let learningRate: number | null = null;
      let source: string;
      if ((BASELINE_NAMES as readonly string[]).includes(config.optimizer)) {
        const name = config.optimizer as BaselineName;
        if (config.tuneLr) {
          learningRate = tuneLearningRate(BASELINES[name], family, {
            rng: root.child('tune'),
            instances: config.instances,
            steps: config.steps,
          }).bestLearningRate;
        } else {
          learningRate = config.lr ?? DEFAULT_RATES[name];
        }
        optimizer = BASELINES[name](learningRate);
        source = name;
      } else {
        source = resolveLearned(config.optimizer);
        optimizer = loadLearnedOptimizer(source);
      }
      const task = family.sample(root.child('eval'), config.instances);
      const run = runOptimizer(optimizer, task, { steps: config.steps, threshold: config.threshold });
      task.dispose();
      family.dispose();
      const result = {
        optimizer: optimizer.name,
        source,
        task: config.task,
        taskConfig: family.describe(),
        backend: backend.name,
        learningRate,
        steps: config.steps,
        instances: config.instances,
        log10FinalLoss: run.log10FinalLoss,
        finalLossMean: run.finalLossMean,
        stepsToThreshold: run.stepsToThreshold,
        curve: run.curve,
      };
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } else {
        process.stdout.write(
          `${result.optimizer}${learningRate === null ? '' : ` (lr ${learningRate.toPrecision(3)})`} on ${config.task}: ` +
            `log10 mean final loss ${run.log10FinalLoss.toFixed(3)} after ${config.steps} steps ` +
            `(${config.instances} held-out instances, backend ${backend.name})\n`,
        );
      }
    });
}
