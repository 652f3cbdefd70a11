import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backendSchema, ConfigError, seedSchema } from '@metagrad/core';
import {
  BASELINE_NAMES,
  BASELINES,
  type BaselineName,
  loadLearnedOptimizer,
  type Optimizer,
  runOptimizer,
  taskFamilyFor,
  taskSettingsSchema,
  taskSplits,
  tuneLearningRate,
} from '@metagrad/optimizers';
import type { Command } from 'commander';
import { z } from 'zod';
import { backendFromEnvironment } from '../flags/backend-environment.js';
import { readConfigFile } from '../flags/config-file.js';
import { addJsonFlag } from '../flags/json-flag.js';
import { addSchemaFlags, flagValues, resolveFlags, schemaFlags } from '../flags/schema-flags.js';
import { loadTaskModule } from '../flags/user-modules.js';
import { chooseBackend } from '../run/backend-choice.js';

/** Learning rates used for baselines when neither --lr nor --tune-lr is given. */
const DEFAULT_RATES: Record<BaselineName, number> = {
  sgd: 0.01,
  momentum: 0.01,
  nag: 0.01,
  rmsprop: 0.01,
  adam: 0.1,
};

/** Everything `l2l eval` is configured by; each field's description is its `--flag` help. */
const evalSchema = z.object({
  ...taskSettingsSchema.shape,
  optimizer: z
    .string()
    .min(1)
    .describe(`RUN_DIR (its best/ weights) or ${BASELINE_NAMES.join(' | ')}`),
  steps: z.number().int().positive().max(1e5).default(100).describe('inner steps'),
  instances: z.number().int().positive().max(1e5).default(128).describe('test task instances'),
  seed: seedSchema.default(0).describe('root seed of the test (and tuning) tasks'),
  lr: z.number().positive().max(1e3).optional().describe('learning rate for a baseline'),
  tuneLr: z
    .boolean()
    .default(false)
    .describe('tune the baseline learning rate on separate tuning tasks first'),
  threshold: z.number().positive().optional().describe('loss threshold for steps-to-threshold'),
  backend: backendSchema,
  taskModule: z
    .string()
    .optional()
    .describe('a module whose default export { name, create(settings) } adds a task family'),
});

/** The flags of `l2l eval`, each declared once, from its schema. */
export const L2L_EVAL_FLAGS = schemaFlags(evalSchema);

/** Resolves --optimizer: a baseline name, or a run directory (its best/ or optimizer/), or a saved optimizer directory. */
export function resolveLearned(path: string): string {
  for (const candidate of [join(path, 'best'), join(path, 'optimizer'), path]) {
    if (existsSync(join(candidate, 'optimizer.json'))) return candidate;
  }
  throw new ConfigError(
    'optimizer',
    path,
    `is neither a baseline (${BASELINE_NAMES.join(', ')}) nor a run or optimizer directory`,
  );
}

/** `metagrad l2l eval`: one optimizer on test tasks, as a table line or JSON. */
export function registerL2lEvalCommand(l2l: Command): void {
  const command = l2l
    .command('eval')
    .description('evaluate a learned optimizer or a hand-designed baseline on test tasks');
  addJsonFlag(addSchemaFlags(command, L2L_EVAL_FLAGS))
    .option('--config <file>', 'JSON file with any of these settings (flags win)')
    .addHelpText(
      'after',
      `
Test tasks come from the seed's "test" stream, apart from the validation tasks that chose a run's best
weights and from the tuning tasks of --tune-lr.

Examples:
  $ metagrad l2l eval --task quadratic --optimizer runs/l2l-quadratic-2026-11-26T08-00-00 --json
  $ metagrad l2l eval --task quadratic --optimizer adam --tune-lr`,
    )
    .action(async (options: Record<string, unknown> & { config?: string; json?: boolean }) => {
      const values = flagValues(options, L2L_EVAL_FLAGS);
      const file = readConfigFile(options.config, evalSchema);
      backendFromEnvironment(values, file);
      const config = resolveFlags(evalSchema, file, values, L2L_EVAL_FLAGS);
      if (config.taskModule) await loadTaskModule(config.taskModule);
      const backend = await chooseBackend(config.backend);
      const family = taskFamilyFor(config);
      const splits = taskSplits(config.seed);
      let optimizer: Optimizer;
      let learningRate: number | null = null;
      let source: string;
      if ((BASELINE_NAMES as readonly string[]).includes(config.optimizer)) {
        const name = config.optimizer as BaselineName;
        if (config.tuneLr) {
          ({ bestLearningRate: learningRate } = await tuneLearningRate(BASELINES[name], family, {
            rng: splits.tuning,
            instances: config.instances,
            steps: config.steps,
          }));
        } else {
          learningRate = config.lr ?? DEFAULT_RATES[name];
        }
        optimizer = BASELINES[name](learningRate);
        source = name;
      } else {
        source = resolveLearned(config.optimizer);
        optimizer = loadLearnedOptimizer(source);
      }
      // The test split: never the validation tasks that selected a run's weights, nor the tuning tasks.
      const task = family.sample(splits.test, config.instances);
      const run = await runOptimizer(optimizer, task, { steps: config.steps, threshold: config.threshold });
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
      if (options.json) {
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
