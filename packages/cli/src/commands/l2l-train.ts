import { join } from 'node:path';
import {
  backendSchema,
  ConfigError,
  EventBus,
  type EventSink,
  Rng,
  type TrainEvent,
  writeFileAtomic,
} from '@metagrad/core';
import {
  BASELINE_NAMES,
  checkMetaTrainConfig,
  checkTaskSize,
  compareOptimizers,
  DEFAULT_DISCRETE_CONFIG,
  DEFAULT_LSTM_CONFIG,
  formatComparisonTable,
  type LearnedOptimizerConfig,
  LstmOptimizer,
  MetaTrainer,
  metaTrainCheckpoints,
  metaTrainConfigSchema,
  saveLearnedOptimizer,
  taskFamilyFor,
  taskFamilyNames,
  taskSettingsSchema,
  taskSplits,
} from '@metagrad/optimizers';
import type { Command } from 'commander';
import { z } from 'zod';
import { addRunFlags, type RunFlags } from '../flags/run-flags.js';
import { addSchemaFlags, schemaFlags } from '../flags/schema-flags.js';
import { loadTaskModule } from '../flags/user-modules.js';
import { chooseBackend } from '../run/backend-choice.js';
import { PlainProgress } from '../run/plain-progress.js';
import { runTraining } from '../run/run-training.js';
import type { TrainIo, TrainStatus } from '../run/train-protocol.js';
import { planTraining, type TrainingPlan } from '../run/training-plan.js';
import { openTrainingRun, TrainingFailedError, writeRunSummary } from '../run/training-run.js';

/** Everything `l2l train` is configured by; each field's description is its `--flag` help. */
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
  backend: backendSchema,
  compare: z.boolean().default(true).describe('compare with tuned baselines on test tasks at the end'),
  taskModule: z
    .string()
    .optional()
    .describe('a module whose default export { name, create(settings) } adds a task family (see the README)'),
});

export type L2lTrainConfig = z.output<typeof l2lTrainSchema>;

/** The flags of `l2l train`, each declared once, from {@link l2lTrainSchema}. */
export const L2L_TRAIN_FLAGS = schemaFlags(l2lTrainSchema, {
  rename: { metaLearningRate: 'meta-lr', metaLearningRateSchedule: 'meta-lr-schedule', preprocessK: 'k' },
});

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

/** `metagrad l2l train`: meta-trains a learned optimizer and compares it with tuned baselines. */
export function registerL2lTrainCommand(l2l: Command): void {
  const command = l2l
    .command('train')
    .description('meta-train a learned optimizer (Andrychowicz et al. 2016) on a task family');
  addRunFlags(addSchemaFlags(command, L2L_TRAIN_FLAGS), 'l2l-<task>')
    .addHelpText(
      'after',
      `
An MLP task defaults to --instances 4 --eval-instances 16 --epochs 400 (12 minutes on 2 cores),
the recipe that beat tuned Adam, RMSProp, momentum and NAG on the digits MLP (see the optimizers README).

Examples:
  $ metagrad l2l train --task quadratic --epochs 300
  $ metagrad l2l train --task mlp --run-dir runs/digits
  $ metagrad l2l train --resume runs/digits`,
    )
    .action(async (options: Record<string, unknown>) => {
      const plan = await planL2lTrain(options);
      await runTraining('l2l', plan, 'meta-step', (io) => runL2lTrain(plan, io));
    });
}

/**
 * MLP meta-training defaults: the recipe that beat every tuned baseline on the digits MLP (issue
 * #16). An MLP instance has ~1,500 parameters, a quadratic 10: 4 instances keep a meta-step near
 * 0.25 s on 2 workers, and more, cheaper updates (400 epochs) beat fewer, better-averaged ones (8 × 200).
 */
const MLP_DEFAULTS = { instances: 4, evalInstances: 16, epochs: 400 };

/** `l2l train` resolved in the main thread. */
export type L2lTrainPlan = TrainingPlan<L2lTrainConfig>;

/** Resolves and validates `l2l train`'s flags into a plan (see {@link planTraining}); nothing is written. */
export function planL2lTrain(options: Record<string, unknown> & RunFlags): Promise<L2lTrainPlan> {
  return planTraining(options, {
    schema: l2lTrainSchema,
    flags: L2L_TRAIN_FLAGS,
    module: { field: 'taskModule', load: loadTaskModule },
    adjust: (values, stored) => {
      if ((values.task ?? stored.task) === 'mlp')
        for (const [field, value] of Object.entries(MLP_DEFAULTS)) values[field] ??= stored[field] ?? value;
    },
    validate: (config) => {
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
    runName: (config) => `l2l-${config.task}`,
  });
}

/** The whole of `l2l train` once planned; runs in the CLI process or in the dashboard's worker. */
export async function runL2lTrain(plan: L2lTrainPlan, io: TrainIo<TrainEvent>): Promise<TrainStatus> {
  const { config, runDir } = plan;
  // A worker thread has its own module registry: the user's task family is registered again there.
  if (config.taskModule) await loadTaskModule(config.taskModule);
  const backend = await chooseBackend(config.backend);
  const family = taskFamilyFor(config);
  const learnedConfig = learnedConfigFor(config);
  const optimizer = new LstmOptimizer(learnedConfig, new Rng(config.seed).child('optimizer'));
  const title = `l2l ${config.task}`;
  const run = openTrainingRun<TrainEvent>(plan, {
    kind: 'l2l-train',
    title,
    backend: backend.name,
    store: (dir) => metaTrainCheckpoints(dir, config.keepCheckpoints),
  });
  try {
    const sinks: EventSink<TrainEvent>[] = [...run.sinks, ...io.sinks];
    if (io.plainProgress)
      sinks.push(new PlainProgress(`l2l train: task ${config.task}, backend ${backend.name}, run ${runDir}`));
    io.onStart?.({
      kind: 'l2l',
      title,
      runDir,
      backend: backend.name,
      seed: String(config.seed),
    });
    const trainer = new MetaTrainer({
      config,
      family,
      optimizer,
      events: new EventBus(sinks),
      checkpointDir: run.checkpointDir,
      resumeFrom: run.resume?.data,
      checkpointNotes: run.checkpointNotes,
      beforeMetaStep: io.beforeStep,
    });
    io.onControls?.({ stop: () => trainer.stop(), checkpoint: () => trainer.requestCheckpoint() });
    if (io.onReference && config.task === 'quadratic') {
      // The live reference: baselines on the trainer's own validation tasks, tuned on the tuning split.
      const splits = taskSplits(config.seed);
      const reference = compareOptimizers({
        family,
        baselines: [...BASELINE_NAMES],
        evaluation: splits.validation,
        tuning: splits.tuning,
        steps: config.steps,
        instances: config.evalInstances,
      });
      io.onReference({
        entries: reference.rows.map((r) => ({ label: `${r.optimizer} (tuned)`, value: r.log10FinalLoss })),
        curves: reference.rows.map((r) => ({
          name: `${r.optimizer} (tuned)`,
          points: r.curve.map((y, x) => ({ x, y })),
        })),
      });
    }
    try {
      const summary = await trainer.train();
      const metadata = { task: family.describe(), runDir, epochs: summary.epochsCompleted };
      // A failed run's weights are not finite: nothing of them is saved as a result.
      if (summary.reason !== 'failed') saveLearnedOptimizer(optimizer, join(runDir, 'optimizer'), metadata);
      if (summary.bestWeights && summary.reason !== 'failed') {
        optimizer.setWeightValues(summary.bestWeights);
        saveLearnedOptimizer(optimizer, join(runDir, 'best'), { ...metadata, validation: summary.best });
      }
      let comparison: ReturnType<typeof compareOptimizers> | undefined;
      if (config.compare && summary.reason === 'completed') {
        if (!plan.json) io.print('\ncomparing with tuned baselines on the test tasks...\n');
        // The test split: validation selected the weights, the tuning split tuned the baselines.
        const splits = taskSplits(config.seed);
        comparison = compareOptimizers({
          family,
          optimizers: [optimizer],
          baselines: [...BASELINE_NAMES],
          evaluation: splits.test,
          tuning: splits.tuning,
          steps: config.steps,
          instances: config.evalInstances,
        });
        writeFileAtomic(join(runDir, 'comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);
        if (plan.json) io.print(`${JSON.stringify({ type: 'comparison', ...comparison })}\n`);
        else io.print(`${formatComparisonTable(comparison)}\n`);
      }
      writeRunSummary(runDir, summary, backend.name, {
        epochsCompleted: summary.epochsCompleted,
        comparison: comparison?.rows.map((r) => ({
          optimizer: r.optimizer,
          log10FinalLoss: r.log10FinalLoss,
        })),
      });
      if (summary.reason === 'failed') throw new TrainingFailedError(runDir);
      if (!plan.json) io.print(`\nrun written to ${runDir}\n`);
      return summary.reason;
    } finally {
      trainer.dispose();
    }
  } finally {
    family.dispose();
    run.close();
  }
}
