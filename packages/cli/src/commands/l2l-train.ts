import { join } from 'node:path';
import { ConfigError, EventBus, type EventSink, Rng, type TrainEvent, writeFileAtomic } from '@metagrad/core';
import {
  BASELINE_NAMES,
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
} from '@metagrad/optimizers';
import type { Command } from 'commander';
import { z } from 'zod';
import { addTaskOptions, buildTaskFamily, taskSchema } from '../l2l/task-factory.js';
import {
  intFlag,
  intListFlag,
  KERNELS_HELP,
  mergeConfig,
  numberFlag,
  readConfigFile,
  seedFlag,
  WORKERS_HELP,
} from '../options.js';
import { chooseBackend } from '../run/backend-choice.js';
import { PlainProgress } from '../run/plain-progress.js';
import { defaultRunDir, effectiveConfig, readRunConfig, resumeChanges } from '../run/run-directory.js';
import { runTraining } from '../run/run-training.js';
import type { TrainIo, TrainStatus } from '../run/train-protocol.js';
import { openTrainingRun, TrainingFailedError, writeRunSummary } from '../run/training-run.js';

/** Everything `l2l train` is configured by, after merging `--config` and flags. */
export const l2lTrainSchema = z.object({
  ...taskSchema.shape,
  ...metaTrainConfigSchema.shape,
  optimizer: z.enum(['lstm', 'discrete']).default('lstm'),
  layers: z.array(z.number().int().positive()).min(1).default([20, 20]),
  preprocessK: z.number().positive().default(10),
  outputScale: z.number().positive().optional(),
  backend: z.string().default('wasm'),
  compare: z.boolean().default(true),
});

export type L2lTrainConfig = z.output<typeof l2lTrainSchema>;

/** Flags of `l2l train` as commander parses them. */
export interface TrainFlags {
  task?: string;
  epochs?: number;
  unroll?: number;
  steps?: number;
  instances?: number;
  metaLr?: number;
  clipNorm?: number;
  evalEvery?: number;
  evalInstances?: number;
  checkpointEvery?: number;
  keepCheckpoints?: number;
  seed?: string;
  secondOrder?: boolean;
  optimizer?: string;
  layers?: number[];
  k?: number;
  outputScale?: number;
  dims?: number;
  hidden?: number[];
  activation?: string;
  batchSize?: number;
  data?: string;
  backend?: string;
  kernels?: string;
  workers?: number;
  runDir?: string;
  resume?: string;
  allowChanges?: boolean;
  config?: string;
  compare?: boolean;
  json?: boolean;
  tui?: boolean;
}

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
  addTaskOptions(l2l.command('train'))
    .description('meta-train a learned optimizer (Andrychowicz et al. 2016) on a task family')
    .option('--epochs <n>', 'epochs (fresh tasks each); default 200', intFlag('epochs'))
    .option('--steps <n>', 'inner steps per epoch; default 100', intFlag('steps'))
    .option('--unroll <n>', 'truncation length for BPTT; default 20', intFlag('unroll'))
    .option('--instances <n>', 'task instances per epoch; default 128 (mlp: 8)', intFlag('instances'))
    .option('--meta-lr <x>', 'Adam step size for the optimizer weights; default 0.003', numberFlag('meta-lr'))
    .option('--clip-norm <x>', 'global meta-gradient norm clip; default 1', numberFlag('clip-norm'))
    .option(
      '--eval-every <n>',
      'evaluate on held-out tasks every N epochs; default 10',
      intFlag('eval-every'),
    )
    .option(
      '--eval-instances <n>',
      'held-out task instances; default 128 (mlp: 16)',
      intFlag('eval-instances'),
    )
    .option('--checkpoint-every <n>', 'checkpoint every N epochs; default 10', intFlag('checkpoint-every'))
    .option('--keep-checkpoints <n>', 'checkpoints to keep; default 3', intFlag('keep-checkpoints'))
    .option('--seed <s>', 'root seed; default 0')
    .option('--second-order', 'differentiate through optimizee gradients (slow; quadratics only)')
    .option('--optimizer <kind>', 'lstm | discrete (straight-through Gumbel choice of step sizes)')
    .option('--layers <list>', 'LSTM units per layer; default 20,20', intListFlag('layers'))
    .option('--k <x>', "LogAndSign's k; default 10", numberFlag('k'))
    .option('--output-scale <x>', 'scale of the network output', numberFlag('output-scale'))
    .option('--backend <name>', 'wasm | cpu | tensorflow | cuda | auto; default wasm')
    .option('--run-dir <dir>', 'where to write the run; default runs/l2l-<task>-<time>')
    .option('--kernels <kind>', KERNELS_HELP)
    .option('--workers <n>', WORKERS_HELP, intFlag('workers'))
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint')
    .option(
      '--allow-changes',
      "with --resume: accept flags that change the run's settings (recorded in config.json)",
    )
    .option('--config <file>', 'JSON file with any of these settings (flags win)')
    .option('--no-compare', 'skip the comparison with tuned baselines at the end')
    .option('--json', 'print one JSON event per line instead of progress lines')
    .addHelpText(
      'after',
      `
Examples:
  $ metagrad l2l train --task quadratic --epochs 300
  $ metagrad l2l train --task mlp --instances 8 --epochs 50 --run-dir runs/digits
  $ metagrad l2l train --resume runs/digits`,
    )
    .option('--no-tui', 'plain progress lines even on a terminal')
    .action(async (flags: TrainFlags) => {
      await runTraining('l2l', flags, 'meta-step', (io) => runL2lTrain(flags, io));
    });
}

/** The whole of `l2l train` after flag parsing; runs in the CLI process or in the dashboard's worker. */
export async function runL2lTrain(flags: TrainFlags, io: TrainIo<TrainEvent>): Promise<TrainStatus> {
  const flagConfig = {
    task: flags.task,
    epochs: flags.epochs,
    steps: flags.steps,
    unroll: flags.unroll,
    instances: flags.instances,
    metaLearningRate: flags.metaLr,
    clipNorm: flags.clipNorm,
    evalEvery: flags.evalEvery,
    evalInstances: flags.evalInstances,
    checkpointEvery: flags.checkpointEvery,
    keepCheckpoints: flags.keepCheckpoints,
    seed: seedFlag(flags.seed),
    secondOrder: flags.secondOrder,
    optimizer: flags.optimizer,
    layers: flags.layers,
    preprocessK: flags.k,
    outputScale: flags.outputScale,
    dims: flags.dims,
    hidden: flags.hidden,
    activation: flags.activation,
    batchSize: flags.batchSize,
    data: flags.data,
    backend: flags.backend,
    kernels: flags.kernels,
    workers: flags.workers,
    compare: flags.compare === false ? false : undefined,
  };
  const resumeDir = flags.resume;
  const previous = resumeDir ? readRunConfig(resumeDir) : undefined;
  const stored = previous ? effectiveConfig(previous) : readConfigFile(flags.config);
  // An MLP instance has ~1,500 parameters, a quadratic 10: fewer instances keep MLP meta-steps near a second.
  if ((flagConfig.task ?? stored.task) === 'mlp') {
    flagConfig.instances ??= (stored.instances as number | undefined) ?? 8;
    flagConfig.evalInstances ??= (stored.evalInstances as number | undefined) ?? 16;
  }
  const changes = previous ? resumeChanges(stored, flagConfig, flags.allowChanges === true) : [];
  const config = mergeConfig(l2lTrainSchema, stored, flagConfig);
  if (config.steps % config.unroll !== 0) {
    throw new ConfigError('steps', config.steps, `must be a multiple of --unroll (${config.unroll})`);
  }
  const backend = await chooseBackend(config.backend);
  const runDir = resumeDir ?? flags.runDir ?? defaultRunDir(`l2l-${config.task}`);
  const family = buildTaskFamily(config);
  const learnedConfig = learnedConfigFor(config);
  const optimizer = new LstmOptimizer(learnedConfig, new Rng(config.seed).child('optimizer'));
  const title = `l2l ${config.task}`;
  const run = openTrainingRun<TrainEvent>({
    dir: runDir,
    previous,
    record: {
      kind: 'l2l-train',
      title,
      command: process.argv.slice(2),
      config,
      seed: config.seed,
      backend: backend.name,
    },
    changes,
    store: (dir) => metaTrainCheckpoints(dir, config.keepCheckpoints),
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    const sinks: EventSink<TrainEvent>[] = [run.metrics, ...io.sinks];
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
      // compareOptimizers draws its tasks from rng.child('eval'): the trainer's validation tasks.
      const reference = compareOptimizers({
        family,
        baselines: [...BASELINE_NAMES],
        rng: new Rng(config.seed),
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
        if (!flags.json) io.print('\ncomparing with tuned baselines on fresh held-out tasks...\n');
        // Test tasks come from their own stream: evaluation during training selected the weights.
        comparison = compareOptimizers({
          family,
          optimizers: [optimizer],
          baselines: [...BASELINE_NAMES],
          rng: new Rng(config.seed).child('test'),
          steps: config.steps,
          instances: config.evalInstances,
        });
        writeFileAtomic(join(runDir, 'comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);
        if (flags.json) io.print(`${JSON.stringify({ type: 'comparison', ...comparison })}\n`);
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
      if (!flags.json) io.print(`\nrun written to ${runDir}\n`);
      return summary.reason;
    } finally {
      trainer.dispose();
    }
  } finally {
    family.dispose();
    run.close();
  }
}
