import type { Command } from 'commander';
import { addJsonFlag } from './json-flag.js';

/** Flags every training command has besides its settings: where the run goes and how it is shown. */
export interface RunFlags {
  runDir?: string;
  resume?: string;
  allowChanges?: boolean;
  config?: string;
  json?: boolean;
  tui?: boolean;
  /** `--tensorboard` alone: the run directory's `tensorboard/`; with a value: that directory. */
  tensorboard?: string | boolean;
  /** Gradient workers on a BullMQ queue instead of this process's threads. */
  gradientQueue?: string;
  gradientTimeout?: string;
}

/** Declares the {@link RunFlags} on a training command; `prefix` names the default run directory. */
export function addRunFlags(command: Command, prefix: string): Command {
  return addJsonFlag(command, 'one JSON event per line instead of progress lines')
    .option('--run-dir <dir>', `where to write the run; default runs/${prefix}-<time>`)
    .option('--resume <dir>', 'continue the run in <dir> from its newest valid checkpoint')
    .option(
      '--allow-changes',
      "with --resume: accept flags that change the run's settings (recorded in config.json)",
    )
    .option('--config <file>', 'JSON file with any of these settings (flags win)')
    .option('--no-tui', 'plain progress lines even on a terminal')
    .option(
      '--tensorboard [dir]',
      'write TensorBoard event files while training (default dir: <run-dir>/tensorboard)',
    )
    .option(
      '--gradient-queue <url>',
      "send each step's --workers shards to `metagrad gradient-worker`s on redis://[:password@]host:port[/queue]",
    )
    .option(
      '--gradient-timeout <s>',
      'with --gradient-queue: fail a step whose shard no worker finishes within this many seconds',
      '120',
    );
}
