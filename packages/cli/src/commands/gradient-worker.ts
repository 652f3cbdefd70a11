import { ConfigError } from '@metagrad/core';
import type { Command } from 'commander';
import { checkGradientQueue, parseGradientQueue } from '../distributed/gradient-queue.js';
import { startGradientWorker } from '../distributed/gradient-worker.js';
import { positiveInteger } from '../flags/positive-integer.js';

/** `metagrad gradient-worker`: serves the shards of runs started with `--gradient-queue`. */
export function registerGradientWorkerCommand(program: Command): void {
  program
    .command('gradient-worker')
    .description(
      "compute training steps' shards (task shards, trial shards, ES particles) for runs on a gradient queue",
    )
    .option(
      '--gradient-queue <url>',
      'redis://[:password@]host:port[/queue] (default queue: metagrad-gradients)',
    )
    .option(
      '--lock-seconds <s>',
      "how long a shard's lock lasts without renewal: how soon a dead worker's shard is taken up again",
      '30',
    )
    .addHelpText(
      'after',
      '\nOne process computes one shard at a time: start one per core, on any machine that reaches the Redis server.\n\nExamples:\n  $ metagrad gradient-worker --gradient-queue redis://10.0.0.5:6379/gradients\n  $ metagrad l2l train --estimator es --particles 32 --workers 8 --gradient-queue redis://10.0.0.5:6379/gradients',
    )
    .action(async (options: { gradientQueue?: string; lockSeconds: string }) => {
      if (!options.gradientQueue)
        throw new ConfigError('gradient-queue', undefined, 'give --gradient-queue redis://host:port/queue');
      const gradientQueue = parseGradientQueue('gradient-queue', options.gradientQueue);
      const lockSeconds = positiveInteger('lock-seconds', options.lockSeconds);
      await checkGradientQueue('gradient-queue', gradientQueue);
      const worker = startGradientWorker(gradientQueue, lockSeconds);
      worker.on('error', (error) => process.stderr.write(`gradient-worker: ${error.message}\n`));
      worker.on('failed', (job, error) =>
        process.stderr.write(`gradient-worker: ${job?.data.method} ${job?.id} failed: ${error.message}\n`),
      );
      process.stdout.write(`gradient worker on ${gradientQueue.description}\n`);
      await new Promise<void>((done) => {
        const stop = () => void worker.close().then(done, done);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
