import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ConfigError, readJsonl, writeFileAtomic } from '@metagrad/core';
import type { Command } from 'commander';
import { scalarsFromEvents, scalarsToCsv } from '../export/scalars.js';
import { type PlotSeries, svgLineChart } from '../export/svg-plot.js';
import { writeTensorBoardScalars } from '../export/tensorboard.js';
import { checkOutputPath } from '../run/output-path.js';
import { formatDuration } from '../run/plain-progress.js';
import { RUN_FILES, readRunConfig } from '../run/run-directory.js';
import { describeRunDirectory, describeRunDirectorySafely, findRunDirectories } from '../run/run-summary.js';

function metricsOf(dir: string): Record<string, unknown>[] {
  readRunConfig(dir); // a ConfigError naming the directory if it is not a run
  try {
    return readJsonl<Record<string, unknown>>(join(dir, RUN_FILES.metrics)).records;
  } catch (error) {
    throw new ConfigError('run-dir', dir, `${RUN_FILES.metrics} is corrupt (${(error as Error).message})`);
  }
}

/** `metagrad runs list|show|export`. */
export function registerRunsCommand(program: Command): void {
  const runs = program.command('runs').description('list, inspect and export runs');
  runs
    .command('list')
    .description('a table of the runs under a directory, newest first')
    .argument('[root]', 'directory holding run directories', 'runs')
    .option('--json', 'print one JSON array')
    .addHelpText('after', '\nExamples:\n  $ metagrad runs list\n  $ metagrad runs list /data/runs --json')
    .action((root: string, options: { json?: boolean }) => {
      const overviews = findRunDirectories(root).map(describeRunDirectorySafely);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(overviews)}\n`);
        return;
      }
      process.stdout.write(
        `${'run'.padEnd(48)} ${'kind'.padEnd(10)} ${'status'.padEnd(11)} ${'best'.padStart(9)}  age\n`,
      );
      for (const o of overviews) {
        process.stdout.write(
          `${o.dir.padEnd(48)} ${o.kind.padEnd(10)} ${o.status.padEnd(11)} ${(o.best === null ? '-' : o.best.toFixed(3)).padStart(9)}  ${formatDuration(o.ageSeconds)}\n`,
        );
      }
    });
  runs
    .command('show')
    .description("one run's configuration, status and headline numbers")
    .argument('<dir>', 'run directory')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      '\nExamples:\n  $ metagrad runs show runs/l2l-quadratic-2026-11-26T08-00-00\n  $ metagrad runs show runs/mdp --json',
    )
    .action((dir: string, options: { json?: boolean }) => {
      const overview = describeRunDirectory(dir);
      const config = readRunConfig(dir);
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ ...overview, config })}\n`);
        return;
      }
      process.stdout.write(
        `${dir}\n  kind ${overview.kind}, status ${overview.status}, ${overview.events} events, last write ${formatDuration(overview.ageSeconds)} ago\n` +
          `  best ${overview.bestLabel}: ${overview.best === null ? '-' : overview.best.toFixed(4)}\n` +
          `  seed ${String(config.seed)}, backend ${config.backend}, metagrad ${config.run?.metagradVersion ?? '?'}` +
          `${config.run?.gitCommit ? `, commit ${config.run.gitCommit.slice(0, 12)}` : ''}\n` +
          `  config ${JSON.stringify(config.config)}\n` +
          (overview.truncatedTail
            ? '  note: the last metrics line was cut short (the run was killed mid-write)\n'
            : ''),
      );
    });
  runs
    .command('export')
    .description("export a run's metrics as CSV or as TensorBoard event files")
    .argument('<dir>', 'run directory')
    .option('--format <format>', 'csv | tensorboard', 'csv')
    .option(
      '--out <path>',
      'csv: output file (default stdout); tensorboard: output directory (default <dir>/tensorboard)',
    )
    .option('--force', 'replace an existing --out file')
    .addHelpText(
      'after',
      '\nExamples:\n  $ metagrad runs export runs/quad --format csv --out quad.csv\n  $ metagrad runs export runs/quad --format tensorboard && tensorboard --logdir runs/quad/tensorboard',
    )
    .action((dir: string, options: { format: string; out?: string; force?: boolean }) => {
      if (options.format !== 'csv' && options.format !== 'tensorboard') {
        throw new ConfigError('format', options.format, 'expected csv or tensorboard');
      }
      // A TensorBoard directory gains a new event file: only a CSV file can be replaced.
      if (options.out)
        checkOutputPath(options.out, [dir], options.force === true || options.format === 'tensorboard');
      const points = scalarsFromEvents(metricsOf(dir));
      if (options.format === 'csv') {
        const csv = scalarsToCsv(points);
        if (options.out) writeFileAtomic(options.out, csv);
        else process.stdout.write(csv);
        return;
      }
      const path = writeTensorBoardScalars(options.out ?? join(dir, 'tensorboard'), points);
      process.stdout.write(`wrote ${points.length} scalars to ${path}\n`);
    });
  runs
    .command('plot')
    .description('an SVG figure of runs for papers: learned vs tuned baselines, or held-out progress')
    .argument('<dirs...>', 'run directories')
    .requiredOption('--out <file>', 'SVG file to write')
    .option('--force', 'replace an existing --out file')
    .addHelpText(
      'after',
      '\nWith comparison.json (finished l2l runs): mean loss per step of the learned optimizer and the tuned\n' +
        'baselines on the test tasks, log scale. Otherwise: the held-out metric over training.\n\n' +
        'Examples:\n  $ metagrad runs plot runs/quad --out quad.svg\n  $ metagrad runs plot runs/a runs/b --out progress.svg',
    )
    .action((dirs: string[], options: { out: string; force?: boolean }) => {
      checkOutputPath(options.out, dirs, options.force === true);
      const many = dirs.length > 1;
      const prefix = (dir: string, name: string) => (many ? `${basename(dir)}: ${name}` : name);
      const comparisons = dirs.map((dir) => join(dir, 'comparison.json'));
      if (comparisons.every((path) => existsSync(path))) {
        const series: PlotSeries[] = dirs.flatMap((dir, i) => {
          readRunConfig(dir);
          const report = JSON.parse(readFileSync(comparisons[i]!, 'utf8')) as {
            rows: { optimizer: string; learningRate: number | null; curve: number[] }[];
          };
          return report.rows.map((r) => ({
            name: prefix(
              dir,
              r.learningRate === null ? r.optimizer : `${r.optimizer} (lr ${r.learningRate.toPrecision(2)})`,
            ),
            points: r.curve.map((y, x) => ({ x, y })),
          }));
        });
        writeFileAtomic(
          options.out,
          svgLineChart(series, {
            title: 'Held-out test tasks',
            xLabel: 'optimisation step',
            yLabel: 'mean loss',
            logY: true,
          }),
        );
      } else {
        const series: PlotSeries[] = dirs.map((dir) => {
          const evaluations = metricsOf(dir).filter((e) => e.type === 'evaluation');
          const name = typeof evaluations[0]?.name === 'string' ? evaluations[0].name : 'held-out';
          const points = evaluations.map((e) => ({ x: e.step as number, y: e.value as number }));
          return { name: prefix(dir, name), points };
        });
        writeFileAtomic(
          options.out,
          svgLineChart(series, {
            title: 'Held-out evaluation',
            xLabel: 'step',
            yLabel: 'metric',
          }),
        );
      }
      process.stdout.write(`wrote ${options.out}\n`);
    });
}
