/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { render } from 'ink';
import { SweepWatchApp } from '../dashboard/sweep-watch-app.js';
import { exportSweepToTensorBoard } from '../export/sweep-tensorboard.js';
import { addJsonFlag } from '../flags/json-flag.js';
import { addRedisOption, redisOption } from '../redis/redis-option.js';
import { assertWritable } from '../run/run-directory.js';
import { writeStdout } from '../run/stdout.js';
import { enqueueSweep, readSweep, withSweepQueue } from '../sweep/sweep-queue.js';
import { resolveSweepRuns } from '../sweep/sweep-runs.js';
import { readSweepSpec } from '../sweep/sweep-spec.js';
import { formatSweepStatus, runCount } from '../sweep/sweep-status-table.js';
import { hostedSchema } from '../trainers/trainer-flags.js';
import { trainerNamed } from '../trainers/trainer-registry.js';

/** `metagrad sweep start|status|watch|tensorboard`. */
export function registerSweepCommand(program: Command): void {
  const sweep = program
    .command('sweep')
    .description('sweeps: many runs from one spec, run by `metagrad worker`s');
  addRedisOption(sweep.command('start'))
    .description(
      'resolve a sweep spec into runs and queue them (a run already queued or done is not added again)',
    )
    .argument('<spec>', 'sweep spec file (JSON: name, trainer, base, grid, random, seeds)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ metagrad sweep start examples/sweeps/quadratic-tiny.json --redis redis://127.0.0.1:6379\n  $ metagrad worker --redis redis://127.0.0.1:6379 --runs-root runs',
    )
    .action(async (specPath: string, options: { redis?: string }) => {
      const target = redisOption(options.redis);
      const file = readSweepSpec(resolve(specPath), (trainer) => hostedSchema(trainerNamed(trainer)));
      const runs = await resolveSweepRuns(file);
      const { added, existing } = await withSweepQueue(target, (queue) =>
        enqueueSweep(queue, file.spec.name, file.spec.trainer, runs),
      );
      process.stdout.write(
        `sweep ${file.spec.name}: ${runCount(runs.length)} on ${target.redacted}; ${added} queued, ${existing} already queued or done\n`,
      );
      for (const run of runs) process.stdout.write(`  ${run.id}  ${JSON.stringify(run.varying)}\n`);
    });
  addJsonFlag(addRedisOption(sweep.command('status')), 'one JSON array, a run per item')
    .description("a table of a sweep's runs: what varies, state, progress, best held-out value")
    .argument('<name>', "the sweep's name (from its spec)")
    .addHelpText(
      'after',
      '\nExamples:\n  $ metagrad sweep status quadratic-tiny --redis redis://127.0.0.1:6379 --json',
    )
    .action(async (name: string, options: { redis?: string; json?: boolean }) => {
      const target = redisOption(options.redis);
      const { manifest, states } = await withSweepQueue(target, (queue) => readSweep(queue, target, name));
      process.stdout.write(
        options.json ? `${JSON.stringify(states)}\n` : formatSweepStatus(manifest, states),
      );
    });
  addRedisOption(sweep.command('watch'))
    .description("a sweep's runs, one row each, updating live (plain tables when not a terminal)")
    .argument('<name>', "the sweep's name (from its spec)")
    .addHelpText(
      'after',
      '\nKeys: q quit.\n\nExamples:\n  $ metagrad sweep watch quadratic-tiny --redis redis://127.0.0.1:6379',
    )
    .action(async (name: string, options: { redis?: string }) => {
      const target = redisOption(options.redis);
      await withSweepQueue(target, async (queue) => {
        const poll = () => readSweep(queue, target, name);
        await poll();
        if (process.stdout.isTTY) {
          await render(<SweepWatchApp poll={poll} />).waitUntilExit();
          return;
        }
        // No terminal: the table again whenever it changes, until every run has finished.
        let last = '';
        for (;;) {
          const { manifest, states } = await poll();
          const table = formatSweepStatus(manifest, states);
          if (table !== last) writeStdout(`${table}\n`);
          last = table;
          if (states.every((s) => s.state === 'completed' || s.state === 'failed')) return;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      });
    });
  sweep
    .command('tensorboard')
    .description("write a sweep's runs as a TensorBoard log directory with HParams summaries")
    .argument('<sweep-dir>', "the sweep's folder of runs: <runs-root>/<sweep name>")
    .option('--out <dir>', 'the log directory to write (new or empty)', '<sweep-dir>/tensorboard')
    .addHelpText(
      'after',
      '\nEvery run is a session with the settings that vary across the runs; runs that differ only in seed\nform one group. Open the HParams tab of: tensorboard --logdir <out>\n\nExamples:\n  $ metagrad sweep tensorboard runs/quadratic-tiny && tensorboard --logdir runs/quadratic-tiny/tensorboard',
    )
    .action((sweepDir: string, options: { out: string }) => {
      const out = options.out === '<sweep-dir>/tensorboard' ? join(sweepDir, 'tensorboard') : options.out;
      assertWritable(out, 'out', out);
      const written = exportSweepToTensorBoard(sweepDir, out);
      process.stdout.write(
        `wrote ${written.runs} sessions to ${out}: settings ${written.hparams.join(', ')}; metrics ${written.metrics.join(', ')}\n`,
      );
    });
}
