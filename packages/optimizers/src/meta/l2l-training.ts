import {
  ConfigError,
  checkedFactory,
  platform,
  type ReferenceResults,
  Rng,
  type TrainerDescriptor,
  type TrainerRun,
  type TrainSummary,
  writeFileAtomic,
} from '@metagrad/core';
import { z } from 'zod';
import { compareOptimizers, formatComparisonTable } from '../eval/compare.js';
import { taskSplits } from '../eval/task-splits.js';
import { BASELINE_NAMES } from '../hand-designed/registry.js';
import type { LearnedOptimizerConfig } from '../learned/learned-optimizer.js';
import { DEFAULT_DISCRETE_CONFIG, DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { saveLearnedOptimizer } from '../learned/saved-optimizer.js';
import type { TaskFamily } from '../tasks/task.js';
import {
  checkTaskSize,
  registerTaskFamily,
  type TaskSettings,
  taskFamilyFor,
  taskFamilyNames,
  taskSettingsSchema,
} from '../tasks/task-registry.js';
import { checkMetaTrainConfig, metaTrainCheckpoints, metaTrainConfigSchema } from './meta-train-config.js';
import { MetaTrainer } from './meta-trainer.js';

/** Everything an l2l run is configured by; each field's description is its `--flag` help. */
export const l2lTrainSchema = z.object({
  ...taskSettingsSchema.shape,
  ...metaTrainConfigSchema.shape,
  optimizer: z
    .enum(['lstm', 'discrete'])
    .default('lstm')
    .describe('learned optimizer: lstm, or discrete (a straight-through Gumbel choice of step sizes)'),
  layers: z
    .array(z.number().int().positive().max(1024))
    .min(1)
    .max(8)
    .default([20, 20])
    .describe('LSTM units per layer'),
  preprocessK: z.number().positive().max(100).default(10).describe("LogAndSign's k"),
  outputScale: z.number().positive().max(1e3).optional().describe("scale of the network's output"),
  compare: z.boolean().default(true).describe('compare with tuned baselines on test tasks at the end'),
  taskModule: z
    .string()
    .optional()
    .describe('a module whose default export { name, create(settings) } adds a task family (see the README)'),
});

export type L2lTrainConfig = z.output<typeof l2lTrainSchema>;

/** The learned optimizer's configuration for a run. */
export function learnedConfigFor(config: L2lTrainConfig): LearnedOptimizerConfig {
  const base = config.optimizer === 'lstm' ? DEFAULT_LSTM_CONFIG : DEFAULT_DISCRETE_CONFIG;
  return {
    ...base,
    layers: config.layers,
    preprocessK: config.preprocessK,
    outputScale: config.outputScale ?? base.outputScale,
  };
}

/**
 * MLP meta-training defaults: the recipe that beat every tuned baseline on the digits MLP. An MLP
 * instance has ~1,500 parameters, a quadratic 10: 4 instances keep a meta-step near 0.25 s on 2
 * workers, and more, cheaper updates (400 epochs) beat fewer, better-averaged ones (8 × 200).
 */
const MLP_DEFAULTS = { instances: 4, evalInstances: 16, epochs: 400 };

/** What a task module's `create()` must return before meta-training may use it. */
const TASK_FAMILY_MEMBERS = {
  name: 'string',
  sample: 'method',
  describe: 'method',
  dispose: 'method',
} as const;

/**
 * Meta-training a learned optimizer (Andrychowicz et al. 2016) as a {@link TrainerDescriptor}: the
 * `metagrad l2l train` command, its dashboard and `runs compare` are built from it. A run saves the
 * final and the best learned optimizer (`optimizer/`, `best/`) and, unless `compare: false`,
 * compares the best with tuned baselines on the seed's test split (`comparison.json`).
 */
export const l2lTraining: TrainerDescriptor<L2lTrainConfig> = {
  name: 'l2l',
  kind: 'l2l-train',
  description: 'meta-train a learned optimizer (Andrychowicz et al. 2016) on a task family',
  unit: 'meta-step',
  schema: l2lTrainSchema,
  flagNames: { metaLearningRate: 'meta-lr', metaLearningRateSchedule: 'meta-lr-schedule', preprocessK: 'k' },
  help: `
An MLP task defaults to --instances 4 --eval-instances 16 --epochs 400,
the recipe that beat tuned Adam, RMSProp, momentum and NAG on the digits MLP (see the optimizers README).

Examples:
  $ metagrad l2l train --task quadratic --epochs 300
  $ metagrad l2l train --task mlp --run-dir runs/digits
  $ metagrad l2l train --resume runs/digits`,
  runSettings: ['workers', 'kernels', 'evalEvery', 'checkpointEvery', 'keepCheckpoints'],
  evaluationSettings: [...Object.keys(taskSettingsSchema.shape), 'taskModule', 'evalInstances', 'steps'],
  userModule: {
    field: 'taskModule',
    register: (path, name, create) =>
      registerTaskFamily(
        name,
        checkedFactory<TaskSettings, TaskFamily>(
          create,
          TASK_FAMILY_MEMBERS,
          'a TaskFamily',
          'task-module',
          path,
        ),
      ),
  },
  withDefaults: (values, stored) => {
    if ((values.task ?? stored.task) === 'mlp')
      for (const [field, value] of Object.entries(MLP_DEFAULTS)) values[field] ??= stored[field] ?? value;
  },
  check: (config) => {
    checkMetaTrainConfig(config);
    if (!taskFamilyNames().includes(config.task))
      throw new ConfigError('task', config.task, `known task families: ${taskFamilyNames().join(', ')}`);
    const family = taskFamilyFor(config);
    try {
      checkTaskSize(family, config.instances, config.evalInstances);
    } finally {
      family.dispose();
    }
  },
  title: (config) => `l2l ${config.task}`,
  runName: (config) => `l2l-${config.task}`,
  checkpoints: (dir, config) => metaTrainCheckpoints(dir, config.keepCheckpoints),
  start: (config, context): TrainerRun => {
    const family = taskFamilyFor(config);
    const optimizer = new LstmOptimizer(learnedConfigFor(config), new Rng(config.seed).child('optimizer'));
    const trainer = new MetaTrainer({
      config,
      family,
      optimizer,
      events: context.events,
      checkpointDir: context.checkpointDir,
      resumeFrom: context.resumeFrom,
      checkpointNotes: context.checkpointNotes,
      beforeMetaStep: context.beforeStep,
    });
    const splits = taskSplits(config.seed);
    const compareOn = (evaluation: Rng, optimizers: LstmOptimizer[]) =>
      compareOptimizers({
        family,
        optimizers,
        baselines: [...BASELINE_NAMES],
        evaluation,
        tuning: splits.tuning,
        steps: config.steps,
        instances: config.evalInstances,
      });
    // The meta-trainer's own summary also counts whole epochs.
    let epochsCompleted = 0;
    return {
      train: async () => {
        const summary = await trainer.train();
        epochsCompleted = summary.epochsCompleted;
        return summary;
      },
      stop: () => trainer.stop(),
      requestCheckpoint: () => trainer.requestCheckpoint(),
      reference: async (): Promise<ReferenceResults | undefined> => {
        if (config.task !== 'quadratic') return undefined;
        // Baselines on the trainer's own validation tasks, tuned on the tuning split.
        const { rows } = await compareOn(splits.validation, []);
        return {
          entries: rows.map((r) => ({ label: `${r.optimizer} (tuned)`, value: r.log10FinalLoss })),
          curves: rows.map((r) => ({
            name: `${r.optimizer} (tuned)`,
            points: r.curve.map((y, x) => ({ x, y })),
          })),
        };
      },
      finish: async (summary: TrainSummary) => {
        if (summary.reason === 'failed') return { epochsCompleted };
        const { runDir } = context;
        const metadata = { task: family.describe(), runDir, epochs: epochsCompleted };
        await saveLearnedOptimizer(optimizer, platform.joinPath(runDir, 'optimizer'), metadata);
        if (summary.bestWeights) {
          optimizer.setWeightValues(summary.bestWeights);
          await saveLearnedOptimizer(optimizer, platform.joinPath(runDir, 'best'), {
            ...metadata,
            validation: summary.best,
          });
        }
        if (!config.compare || summary.reason !== 'completed') return { epochsCompleted };
        if (!context.json) context.print('\ncomparing with tuned baselines on the test tasks...\n');
        // The test split: validation selected the weights, the tuning split tuned the baselines.
        const comparison = await compareOn(splits.test, [optimizer]);
        writeFileAtomic(
          platform.joinPath(runDir, 'comparison.json'),
          `${JSON.stringify(comparison, null, 2)}\n`,
        );
        context.print(
          context.json
            ? `${JSON.stringify({ type: 'comparison', ...comparison })}\n`
            : `${formatComparisonTable(comparison)}\n`,
        );
        return {
          epochsCompleted,
          comparison: comparison.rows.map((r) => ({
            optimizer: r.optimizer,
            log10FinalLoss: r.log10FinalLoss,
          })),
        };
      },
      dispose: () => {
        trainer.dispose();
        family.dispose();
      },
    };
  },
};
