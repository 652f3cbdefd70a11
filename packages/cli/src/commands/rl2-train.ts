import { join } from 'node:path';
import { backendSchema, ConfigError, EventBus, type EventSink, Rng, type TrainEvent } from '@metagrad/core';
import {
  checkIterationSize,
  checkRl2Config,
  envFor,
  envNames,
  evaluatePolicy,
  Rl2Trainer,
  rl2Checkpoints,
  rl2ConfigSchema,
  saveRl2Agent,
  tuneBaseline,
} from '@metagrad/rl';
import type { Command } from 'commander';
import { z } from 'zod';
import { addRunFlags, type RunFlags } from '../flags/run-flags.js';
import { addSchemaFlags, schemaFlags } from '../flags/schema-flags.js';
import { loadEnvModule } from '../flags/user-modules.js';
import { chooseBackend } from '../run/backend-choice.js';
import { PlainProgress } from '../run/plain-progress.js';
import { runTraining } from '../run/run-training.js';
import type { TrainIo, TrainStatus } from '../run/train-protocol.js';
import { planTraining, type TrainingPlan } from '../run/training-plan.js';
import { openTrainingRun, TrainingFailedError, writeRunSummary } from '../run/training-run.js';

/** Everything `rl2 train` is configured by; each field's description is its `--flag` help. */
export const rl2TrainSchema = z.object({
  ...rl2ConfigSchema.shape,
  backend: backendSchema,
  envModule: z
    .string()
    .optional()
    .describe(
      'a module whose default export { name, create(settings) } adds an environment (see the README)',
    ),
});

export type Rl2TrainConfig = z.output<typeof rl2TrainSchema>;

/** The flags of `rl2 train`, each declared once, from {@link rl2TrainSchema}. */
export const RL2_TRAIN_FLAGS = schemaFlags(rl2TrainSchema, {
  rename: { learningRate: 'lr' },
  skip: ['gaeLambdaSchedule'],
});

/** `metagrad rl2 train`. */
export function registerRl2TrainCommand(rl2: Command): void {
  const command = rl2
    .command('train')
    .description(
      'train an RL² agent with PPO or TRPO on a distribution of bandits, tabular MDPs, or your own Env',
    );
  addRunFlags(addSchemaFlags(command, RL2_TRAIN_FLAGS), 'rl2-<env>')
    .addHelpText(
      'after',
      `
Set in a --config file only: gaeLambdaSchedule (piecewise-constant GAE λ).

Examples:
  $ metagrad rl2 train --env bandit --arms 5 --episodes 10 --iterations 300
  $ metagrad rl2 train --env mdp --episodes 10 --run-dir runs/mdp
  $ metagrad rl2 train --env mdp --algorithm trpo --hidden 256 --batch 2500
  $ metagrad rl2 train --env-module examples/chain-env.mjs --env chain --episodes 5
  $ metagrad rl2 train --resume runs/mdp`,
    )
    .action(async (options: Record<string, unknown>) => {
      const plan = await planRl2Train(options);
      await runTraining('rl2', plan, 'iteration', (io) => runRl2Train(plan, io));
    });
}

/** Baselines the RL² dashboard compares the agent with (the paper's strongest classic algorithms). */
const REFERENCE_BASELINES: Record<string, readonly string[]> = {
  bandit: ['ucb1', 'thompson', 'gittins'],
  mdp: ['psrl', 'ucrl2', 'beb'],
};

/** `rl2 train` resolved in the main thread. */
export type Rl2TrainPlan = TrainingPlan<Rl2TrainConfig>;

/** Resolves and validates `rl2 train`'s flags into a plan (see {@link planTraining}); nothing is written. */
export function planRl2Train(options: Record<string, unknown> & RunFlags): Promise<Rl2TrainPlan> {
  return planTraining(options, {
    schema: rl2TrainSchema,
    flags: RL2_TRAIN_FLAGS,
    module: { field: 'envModule', load: loadEnvModule },
    adjust: (values, stored) => {
      // TRPO fits its value network apart from the policy: that is its default network layout.
      if ((values.algorithm ?? stored.algorithm) === 'trpo')
        values.valueNetwork ??= stored.valueNetwork ?? 'separate';
    },
    validate: (config) => {
      checkRl2Config(config);
      if (!envNames().includes(config.env))
        throw new ConfigError('env', config.env, `known environments: ${envNames().join(', ')}`);
      checkIterationSize(config, envFor(config));
    },
    runName: (config) => `rl2-${config.env}`,
  });
}

/** The whole of `rl2 train` once planned; runs in the CLI process or in the dashboard's worker. */
export async function runRl2Train(plan: Rl2TrainPlan, io: TrainIo<TrainEvent>): Promise<TrainStatus> {
  const { config, runDir } = plan;
  // A worker thread has its own module registry: the user's environment is registered again there.
  if (config.envModule) await loadEnvModule(config.envModule);
  const backend = await chooseBackend(config.backend);
  const title =
    config.env === 'bandit'
      ? `rl2 bandit n=${config.episodes} k=${config.arms}`
      : `rl2 ${config.env} n=${config.episodes}`;
  const run = openTrainingRun<TrainEvent>(plan, {
    kind: 'rl2-train',
    title,
    backend: backend.name,
    store: (dir) => rl2Checkpoints(dir, config.keepCheckpoints),
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
    const sinks: EventSink<TrainEvent>[] = [...run.sinks, bestAgent, ...io.sinks];
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
      const entries = (REFERENCE_BASELINES[config.env] ?? []).map((name) => {
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
