import { join } from 'node:path';
import { EventBus, type EventSink, Rng, type TrainEvent } from '@metagrad/core';
import {
  evaluatePolicy,
  Rl2Trainer,
  rl2Checkpoints,
  rl2ConfigSchema,
  saveRl2Agent,
  tuneBaseline,
} from '@metagrad/rl';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  intFlag,
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

const trainSchema = z.object({ ...rl2ConfigSchema.shape, backend: z.string().default('wasm') });

/** Flags of `rl2 train` as commander parses them. */
export interface Rl2TrainFlags {
  env?: string;
  arms?: number;
  episodes?: number;
  hidden?: number;
  valueNetwork?: string;
  iterations?: number;
  batch?: number;
  lr?: number;
  seed?: string;
  evalEvery?: number;
  checkpointEvery?: number;
  backend?: string;
  kernels?: string;
  workers?: number;
  runDir?: string;
  resume?: string;
  allowChanges?: boolean;
  config?: string;
  json?: boolean;
  tui?: boolean;
}

/** `metagrad rl2 train`. */
export function registerRl2TrainCommand(rl2: Command): void {
  rl2
    .command('train')
    .description('train an RL² agent with PPO on a distribution of bandits or tabular MDPs')
    .option('--env <name>', 'bandit | mdp')
    .option('--arms <k>', 'bandit arms; default 5', intFlag('arms'))
    .option('--episodes <n>', 'episodes per trial; default 10', intFlag('episodes'))
    .option('--hidden <h>', 'GRU units; default 64', intFlag('hidden'))
    .option('--value-network <kind>', 'shared (one GRU, two heads) | separate (a second GRU); default shared')
    .option('--iterations <i>', 'PPO iterations; default 200', intFlag('iterations'))
    .option('--batch <b>', 'trials per iteration; default 512', intFlag('batch'))
    .option('--lr <x>', 'Adam step size; default 0.003', numberFlag('lr'))
    .option('--eval-every <n>', 'held-out evaluation every N iterations; default 25', intFlag('eval-every'))
    .option(
      '--checkpoint-every <n>',
      'checkpoint every N iterations; default 25',
      intFlag('checkpoint-every'),
    )
    .option('--seed <s>', 'root seed; default 0')
    .option('--backend <name>', 'wasm | cpu | tensorflow | cuda | auto; default wasm')
    .option('--run-dir <dir>', 'where to write the run; default runs/rl2-<env>-<time>')
    .option('--kernels <kind>', KERNELS_HELP)
    .option('--workers <n>', WORKERS_HELP, intFlag('workers'))
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint')
    .option(
      '--allow-changes',
      "with --resume: accept flags that change the run's settings (recorded in config.json)",
    )
    .option('--config <file>', 'JSON file with any of these settings (flags win)')
    .option('--json', 'print one JSON event per line')
    .addHelpText(
      'after',
      `
Examples:
  $ metagrad rl2 train --env bandit --arms 5 --episodes 10 --iterations 300
  $ metagrad rl2 train --env mdp --episodes 10 --run-dir runs/mdp
  $ metagrad rl2 train --resume runs/mdp`,
    )
    .option('--no-tui', 'plain progress lines even on a terminal')
    .action(async (flags: Rl2TrainFlags) => {
      await runTraining('rl2', flags, 'iteration', (io) => runRl2Train(flags, io));
    });
}

/** Baselines the RL² dashboard compares the agent with (the paper's strongest classic algorithms). */
const REFERENCE_BASELINES = {
  bandit: ['ucb1', 'thompson', 'gittins'],
  mdp: ['psrl', 'ucrl2', 'beb'],
} as const;

/** The whole of `rl2 train` after flag parsing; runs in the CLI process or in the dashboard's worker. */
export async function runRl2Train(flags: Rl2TrainFlags, io: TrainIo<TrainEvent>): Promise<TrainStatus> {
  const previous = flags.resume ? readRunConfig(flags.resume) : undefined;
  const stored = previous ? effectiveConfig(previous) : readConfigFile(flags.config);
  const flagConfig = {
    env: flags.env,
    arms: flags.arms,
    episodes: flags.episodes,
    hidden: flags.hidden,
    valueNetwork: flags.valueNetwork,
    iterations: flags.iterations,
    batch: flags.batch,
    learningRate: flags.lr,
    evalEvery: flags.evalEvery,
    checkpointEvery: flags.checkpointEvery,
    seed: seedFlag(flags.seed),
    backend: flags.backend,
    kernels: flags.kernels,
    workers: flags.workers,
  };
  const changes = previous ? resumeChanges(stored, flagConfig, flags.allowChanges === true) : [];
  const config = mergeConfig(trainSchema, stored, flagConfig);
  const backend = await chooseBackend(config.backend);
  const runDir = flags.resume ?? flags.runDir ?? defaultRunDir(`rl2-${config.env}`);
  const title =
    config.env === 'bandit'
      ? `rl2 bandit n=${config.episodes} k=${config.arms}`
      : `rl2 mdp n=${config.episodes}`;
  const run = openTrainingRun<TrainEvent>({
    dir: runDir,
    previous,
    record: {
      kind: 'rl2-train',
      title,
      command: process.argv.slice(2),
      config,
      seed: config.seed,
      backend: backend.name,
    },
    changes,
    store: (dir) => rl2Checkpoints(dir, config.keepCheckpoints),
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  try {
    io.onStart?.({ kind: 'rl2', title, runDir, backend: backend.name, seed: String(config.seed) });
    // best/ is rewritten at every new best evaluation, so even a run killed outright leaves its best agent.
    let trainer: Rl2Trainer | undefined;
    const bestAgent: EventSink<TrainEvent> = {
      required: true, // a best agent that cannot be written stops the run, as the log does
      emit: (e) => {
        const weights = trainer?.bestWeightValues;
        if (e.type === 'evaluation' && e.best && weights) saveRl2Agent(weights, config, join(runDir, 'best'));
      },
    };
    const sinks: EventSink<TrainEvent>[] = [run.metrics, bestAgent, ...io.sinks];
    if (io.plainProgress)
      sinks.push(new PlainProgress(`rl2 train: env ${config.env}, backend ${backend.name}, run ${runDir}`));
    trainer = new Rl2Trainer({
      config,
      events: new EventBus(sinks),
      checkpointDir: run.checkpointDir,
      resumeFrom: run.resume?.data,
      checkpointNotes: run.checkpointNotes,
      beforeIteration: io.beforeStep,
    });
    io.onControls?.({ stop: () => trainer.stop(), checkpoint: () => trainer.requestCheckpoint() });
    if (io.onReference) {
      // The trainer's held-out trials: same seed stream and count, so the numbers are comparable.
      const entries = REFERENCE_BASELINES[config.env].map((name) => {
        const policy = tuneBaseline(trainer.env, name, { episodes: config.episodes, seed: 'tune' });
        const r = evaluatePolicy(policy, trainer.env, {
          episodes: config.episodes,
          trials: config.evalTrials,
          seed: new Rng(config.seed).child('eval').seed,
        });
        return { label: name, value: r.mean };
      });
      io.onReference({ entries });
    }
    try {
      const summary = await trainer.train();
      // A failed run's weights are not finite: nothing of them is saved as a result.
      if (summary.reason !== 'failed') {
        saveRl2Agent(trainer.policy, trainer.config, join(runDir, 'agent'));
        const best = trainer.bestWeightValues;
        if (best) saveRl2Agent(best, trainer.config, join(runDir, 'best'));
      }
      writeRunSummary(runDir, summary, backend.name);
      if (summary.reason === 'failed') throw new TrainingFailedError(runDir);
      io.print(`run written to ${runDir}\n`);
      return summary.reason;
    } finally {
      trainer.dispose();
    }
  } finally {
    run.close();
  }
}
