import { join } from 'node:path';
import { ConfigError, writeFileAtomic } from '@metagrad/core';
import type { Command } from 'commander';
import { compareRunGroups, formatRunComparison } from '../export/run-comparison.js';
import { scalarsFromEvents, scalarsToCsv } from '../export/scalars.js';
import { groupBySetting, meanBand, readRunRecord, type SettingGroup } from '../export/seed-groups.js';
import { type PlotSeries, svgLineChart } from '../export/svg-plot.js';
import { writeTensorBoardScalars } from '../export/tensorboard.js';
import { addJsonFlag } from '../flags/json-flag.js';
import { checkOutputPath } from '../run/output-path.js';
import { formatDuration } from '../run/plain-progress.js';
import { assertWritable, readRunConfig, readRunEvents } from '../run/run-directory.js';
import {
  describeRunDirectory,
  describeRunDirectorySafely,
  expandRunDirectories,
  findRunDirectories,
} from '../run/run-summary.js';

/** `metagrad runs list|show|export|compare|plot`. */
export function registerRunsCommand(program: Command): void {
  const runs = program.command('runs').description('list, inspect and export runs');
  addJsonFlag(runs.command('list'), 'one JSON array')
    .description('a table of the runs under a directory, newest first')
    .argument('[root]', 'directory holding run directories', 'runs')
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
  addJsonFlag(runs.command('show'))
    .description("one run's configuration, status and headline numbers")
    .argument('<dir>', 'run directory')
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
      const points = scalarsFromEvents(readRunEvents(dir));
      if (options.out) assertWritable(options.out, 'out', options.out);
      else if (options.format === 'tensorboard') assertWritable(dir, 'run-dir', dir);
      if (options.format === 'csv') {
        const csv = scalarsToCsv(points);
        if (options.out) writeFileAtomic(options.out, csv);
        else process.stdout.write(csv);
        return;
      }
      const path = writeTensorBoardScalars(options.out ?? join(dir, 'tensorboard'), points);
      process.stdout.write(`wrote ${points.length} scalars to ${path}\n`);
    });
  addJsonFlag(runs.command('compare'), 'one JSON array')
    .description(
      "a table over seeds: each setting's best held-out value and test scores, with paired differences",
    )
    .argument(
      '<dirs...>',
      "run directories, or folders of runs such as a sweep's (runs that differ only in seed form one setting)",
    )
    .addHelpText(
      'after',
      '\nDifferences between settings are paired seed by seed where the runs share their evaluation tasks\n' +
        '(same seed and task or environment settings); otherwise they are differences of independent means.\n\n' +
        'Examples:\n  $ metagrad runs compare runs/quad-s0 runs/quad-s1 runs/quad-s2\n  $ metagrad runs compare runs/h20-* runs/h40-* --json',
    )
    .action((dirs: string[], options: { json?: boolean }) => {
      const comparison = compareRunGroups(groupBySetting(expandRunDirectories(dirs).map(readRunRecord)));
      process.stdout.write(
        options.json ? `${JSON.stringify(comparison)}\n` : formatRunComparison(comparison),
      );
    });
  runs
    .command('plot')
    .description(
      'an SVG figure of runs for papers: learned vs tuned baselines, or held-out progress; runs of one setting across seeds as mean ± standard error',
    )
    .argument('<dirs...>', "run directories, or folders of runs such as a sweep's")
    .requiredOption('--out <file>', 'SVG file to write')
    .option('--x <axis>', 'held-out curves against: step, or time (minutes of training)', 'step')
    .option('--force', 'replace an existing --out file')
    .addHelpText(
      'after',
      '\nWith comparison.json (finished l2l runs): log10 mean loss per step of the learned optimizer and the\n' +
        'tuned baselines on the test tasks. Otherwise: the held-out metric over training. Runs that differ\n' +
        'only in seed are one setting, drawn as its mean with a shaded ± standard error band. With --x time,\n' +
        'each evaluation sits at the wall time the run had trained before it (summed over resumed sessions;\n' +
        'across seeds, their mean), so settings of different cost per step compare on equal time.\n\n' +
        'Examples:\n  $ metagrad runs plot runs/quad --out quad.svg\n  $ metagrad runs plot runs/quad-seed-* --out quad-seeds.svg\n' +
        '  $ metagrad runs plot runs/mdp-ppo runs/mdp-trpo --x time --out mdp.svg',
    )
    .action((dirs: string[], options: { out: string; x: string; force?: boolean }) => {
      if (options.x !== 'step' && options.x !== 'time') {
        throw new ConfigError('x', options.x, 'expected step or time');
      }
      checkOutputPath(options.out, dirs, options.force === true);
      assertWritable(options.out, 'out', options.out);
      writeFileAtomic(
        options.out,
        plotRuns(groupBySetting(expandRunDirectories(dirs).map(readRunRecord)), options.x),
      );
      process.stdout.write(`wrote ${options.out}\n`);
    });
}

/** The figure `runs plot` draws for groups of runs (one line, with a band across seeds, per setting). */
function plotRuns(groups: SettingGroup[], axis: 'step' | 'time'): string {
  const many = groups.length > 1;
  const prefix = (group: SettingGroup, name: string) => (many ? `${group.label}: ${name}` : name);
  const seeds = (group: SettingGroup) => (group.runs.length > 1 ? ` (${group.runs.length} seeds)` : '');
  const banded = (name: string, band: { x: number; mean: number; stderr: number }[]): PlotSeries => ({
    name,
    points: band.map((p) => ({ x: p.x, y: p.mean })),
    ...(band.some((p) => Number.isFinite(p.stderr)) && {
      band: band.map((p) => ({ low: p.mean - p.stderr, high: p.mean + p.stderr })),
    }),
  });
  if (groups.every((g) => g.runs.every((run) => run.comparison))) {
    const series = groups.flatMap((group) => {
      const rows = group.runs[0]!.comparison!.rows;
      return rows.map((row) => {
        const curves = group.runs.map((run) => {
          const curve = run.comparison!.rows.find((r) => r.optimizer === row.optimizer)?.curve ?? [];
          return curve.map((y, x) => ({ x, y: Math.log10(y) }));
        });
        const tuned = group.runs.length === 1 && row.learningRate !== null;
        const name = tuned ? `${row.optimizer} (lr ${row.learningRate!.toPrecision(2)})` : row.optimizer;
        return banded(prefix(group, name) + seeds(group), meanBand(curves));
      });
    });
    return svgLineChart(series, {
      title: 'Test tasks',
      xLabel: 'optimisation step',
      yLabel: 'log10 mean loss',
    });
  }
  const series = groups.map((group) => {
    const name = group.runs[0]!.objective?.name ?? 'held-out';
    const curves = group.runs.map((run) => run.evaluations.map((e) => ({ x: e.step, y: e.value })));
    const band = meanBand(curves);
    if (axis === 'step') return banded(prefix(group, name) + seeds(group), band);
    const minutes = meanBand(
      group.runs.map((run) => run.evaluations.map((e) => ({ x: e.step, y: e.seconds / 60 }))),
    );
    const minutesAt = new Map(minutes.map((m) => [m.x, m.mean]));
    return banded(
      prefix(group, name) + seeds(group),
      band.map((p) => ({ ...p, x: minutesAt.get(p.x)! })),
    );
  });
  // The objective's name (e.g. "held-out mean return"), where every run is judged by the same one.
  const objectives = new Set(groups.flatMap((g) => g.runs.map((run) => run.objective?.name ?? 'held-out')));
  return svgLineChart(series, {
    title: 'Held-out evaluation',
    xLabel: axis === 'step' ? 'step' : 'minutes of training',
    yLabel: objectives.size === 1 ? [...objectives][0]! : 'held-out evaluation',
  });
}
