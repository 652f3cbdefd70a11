import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  backendSchema,
  ConfigError,
  type MeanAndStandardError,
  seedSchema,
  writeFileAtomic,
} from '@metagrad/core';
import {
  generalisationStudy,
  generalisationVariants,
  loadLearnedOptimizer,
  type StudyRow,
  taskSettingsSchema,
  taskSplits,
} from '@metagrad/optimizers';
import type { Command } from 'commander';
import { z } from 'zod';
import { type PlotSeries, svgLineChart } from '../export/svg-plot.js';
import { backendFromEnvironment } from '../flags/backend-environment.js';
import { addJsonFlag } from '../flags/json-flag.js';
import { addSchemaFlags, flagValues, resolveFlags, schemaFlags } from '../flags/schema-flags.js';
import { loadTaskModule } from '../flags/user-modules.js';
import { chooseBackend } from '../run/backend-choice.js';
import { checkOutputPath } from '../run/output-path.js';
import { assertWritable, effectiveConfig, readRunConfig } from '../run/run-directory.js';
import { resolveLearned } from './l2l-eval.js';

/** Everything `l2l study generalisation` is configured by; each field's description is its `--flag` help. */
const studySchema = z.object({
  optimizer: z
    .string()
    .min(1)
    .describe('RUN_DIR: a finished l2l run (its best/ weights and its task settings)'),
  instances: z.number().int().positive().max(1e5).default(64).describe('test task instances per variant'),
  tuneInstances: z
    .number()
    .int()
    .positive()
    .max(1e5)
    .default(32)
    .describe('tuning task instances per variant and baseline'),
  seed: seedSchema.optional().describe("root seed of the tuning and test tasks (default: the run's seed)"),
  backend: backendSchema,
  taskModule: z
    .string()
    .optional()
    .describe("the run's --task-module, where it has moved since the run recorded its path"),
});

/** The flags of `l2l study generalisation`, each declared once, from its schema. */
export const STUDY_FLAGS = schemaFlags(studySchema);

const pm = (m: MeanAndStandardError) => `${m.mean.toFixed(3)} ± ${m.stderr.toFixed(3)}`;

/** The study as a table: each variant's learned score, the best tuned baseline, and paired differences. */
export function formatStudy(rows: StudyRow[]): string {
  const header = `${'variant'.padEnd(12)} ${'steps'.padStart(5)}  ${'learned'.padEnd(16)} ${'best tuned baseline'.padEnd(30)} ${'learned − best'.padEnd(16)} learned − adam`;
  const lines = rows.map((row) => {
    const [learned, ...baselines] = row.entries;
    const best = baselines.find((e) => e.optimizer === row.bestBaseline)!;
    const adam = baselines.find((e) => e.optimizer === 'adam');
    const bestText = `${best.optimizer} (lr ${best.learningRate!.toPrecision(2)}) ${pm(best.log10FinalLoss)}`;
    return `${row.label.padEnd(12)} ${String(row.steps).padStart(5)}  ${pm(learned!.log10FinalLoss).padEnd(16)} ${bestText.padEnd(30)} ${pm(best.learnedMinusThis!).padEnd(16)} ${adam ? pm(adam.learnedMinusThis!) : ''}`;
  });
  return `${[header, ...lines].join('\n')}\n`;
}

/** Mean log10 final loss ± standard error per optimizer across the variants (x = variant number). */
function studyFigure(rows: StudyRow[]): string {
  const series: PlotSeries[] = rows[0]!.entries.map(({ optimizer }) => {
    const points = rows.map((row, x) => ({
      x: x + 1,
      entry: row.entries.find((e) => e.optimizer === optimizer)!,
    }));
    return {
      name: optimizer,
      points: points.map(({ x, entry }) => ({ x, y: entry.log10FinalLoss.mean })),
      band: points.map(({ entry: { log10FinalLoss: m } }) => ({
        low: m.mean - m.stderr,
        high: m.mean + m.stderr,
      })),
    };
  });
  return svgLineChart(series, {
    title: 'Generalisation (test split)',
    xLabel: rows.map((row, i) => `${i + 1}: ${row.label}`).join(' · '),
    yLabel: 'mean log10 final loss',
    width: 760,
  });
}

/** `metagrad l2l study generalisation`: the paper's generalisation study for a trained optimizer. */
export function registerL2lStudyCommand(l2l: Command): void {
  const study = l2l.command('study').description('studies of a trained learned optimizer');
  const command = study
    .command('generalisation')
    .description(
      'evaluate a trained optimizer and tuned baselines on the trained task, wider and deeper networks, ReLU, and a longer horizon',
    );
  addJsonFlag(addSchemaFlags(command, STUDY_FLAGS), 'the study as one JSON object')
    .option('--out <dir>', 'where study.json and study.svg go (default <RUN_DIR>/study-generalisation)')
    .option('--force', 'replace an existing --out directory')
    .addHelpText(
      'after',
      `
Every number comes from the test split of the seed; each baseline's learning rate is tuned per
variant on the tuning split; differences are paired instance by instance on the same test tasks.

Examples:
  $ metagrad l2l study generalisation --optimizer runs/digits
  $ metagrad l2l study generalisation --optimizer runs/digits --instances 128 --out figures/digits`,
    )
    .action(async (options: Record<string, unknown> & { out?: string; force?: boolean; json?: boolean }) => {
      const values = flagValues(options, STUDY_FLAGS);
      backendFromEnvironment(values, {});
      const settings = resolveFlags(studySchema, {}, values, STUDY_FLAGS);
      // The module given wins over the one the run recorded: it may have moved since.
      if (settings.taskModule) await loadTaskModule(settings.taskModule);
      let run: ReturnType<typeof readRunConfig>;
      try {
        run = readRunConfig(settings.optimizer);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new ConfigError('optimizer', settings.optimizer, error.reason);
      }
      const trained = effectiveConfig(run);
      if (!settings.taskModule && typeof trained.taskModule === 'string')
        await loadTaskModule(trained.taskModule);
      const out = options.out ?? join(settings.optimizer, 'study-generalisation');
      checkOutputPath(out, [settings.optimizer], options.force === true);
      assertWritable(out, 'out', out);
      const backend = await chooseBackend(settings.backend);
      const learned = loadLearnedOptimizer(resolveLearned(settings.optimizer));
      const steps = typeof trained.steps === 'number' ? trained.steps : 100;
      const seed = settings.seed ?? run.seed;
      const variants = generalisationVariants(taskSettingsSchema.parse(trained), steps);
      const rows = await generalisationStudy({
        learned,
        variants,
        splits: taskSplits(seed),
        instances: settings.instances,
        tuneInstances: settings.tuneInstances,
        // Each variant's line as it finishes: a study of MLPs takes minutes per variant.
        onVariant: (row, i) =>
          process.stderr.write(`variant ${i + 1}/${variants.length}: ${formatStudy([row]).split('\n')[1]}\n`),
      });
      learned.dispose();
      const report = {
        optimizer: settings.optimizer,
        seed,
        split: 'test',
        instances: settings.instances,
        backend: backend.name,
        rows,
      };
      mkdirSync(out, { recursive: true });
      writeFileAtomic(join(out, 'study.json'), `${JSON.stringify(report, null, 2)}\n`);
      writeFileAtomic(join(out, 'study.svg'), studyFigure(rows));
      if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else
        process.stdout.write(
          `generalisation of ${settings.optimizer}: mean log10 final loss on the test split, ${settings.instances} instances per variant (seed ${seed}, backend ${backend.name})\n${formatStudy(rows)}wrote ${out}/study.json and study.svg\n`,
        );
    });
}
