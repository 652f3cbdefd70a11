import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { positiveInteger } from '../flags/positive-integer.js';
import { addRedisOption, redisOption } from '../redis/redis-option.js';
import { checkRedis } from '../redis/redis-url.js';
import { assertWritable } from '../run/run-directory.js';
import { startSweepWorker } from '../sweep/sweep-worker.js';

/** `metagrad worker`: takes sweep jobs from Redis and trains each as a run directory. */
export function registerWorkerCommand(program: Command): void {
  addRedisOption(program.command('worker'))
    .description('take sweep runs from Redis and train them, each in a run directory under --runs-root')
    .option(
      '--runs-root <dir>',
      'where runs go: <dir>/<sweep>/<run id> (shared storage across machines)',
      'runs',
    )
    .option('--concurrency <n>', 'runs trained at once, each in its own process', '1')
    .option(
      '--lock-seconds <s>',
      "how long a job's lock lasts without renewal: how soon a dead worker's run is taken up again",
      '30',
    )
    .addHelpText(
      'after',
      '\nStops on Ctrl-C or SIGTERM: runs in progress stop after their current step with a checkpoint and go back to the queue.\n\nExamples:\n  $ metagrad worker --redis redis://10.0.0.5:6379 --runs-root /shared/runs --concurrency 2',
    )
    .action(
      async (options: { redis?: string; runsRoot: string; concurrency: string; lockSeconds: string }) => {
        const target = redisOption(options.redis);
        const concurrency = positiveInteger('concurrency', options.concurrency);
        const lockSeconds = positiveInteger('lock-seconds', options.lockSeconds);
        const runsRoot = resolve(options.runsRoot);
        assertWritable(runsRoot, 'runs-root', options.runsRoot);
        await checkRedis('redis', target);
        mkdirSync(runsRoot, { recursive: true });
        const worker = startSweepWorker(target, { runsRoot, concurrency, lockSeconds });
        const say = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
        worker.on('active', (job) =>
          say(`${job.data.sweep}/${job.id}: training (attempt ${job.attemptsMade + 1})`),
        );
        worker.on('completed', (job, result) =>
          say(
            `${job.data.sweep}/${job.id}: ${result.status}${result.best ? `, best ${result.best.name} ${result.best.value.toFixed(4)}` : ''}`,
          ),
        );
        worker.on('failed', (job, error) => say(`${job?.data.sweep}/${job?.id}: failed: ${error.message}`));
        worker.on('error', (error) => process.stderr.write(`worker: ${error.message}\n`));
        say(`worker on ${target.redacted}, runs under ${runsRoot}, ${concurrency} at a time`);
        await new Promise<void>((done) => {
          const stop = (signal: NodeJS.Signals) => {
            say(`${signal}: stopping; runs in progress go back to the queue`);
            void worker.close().then(done, done);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );
}
