import {
  ConfigError,
  checkedFactory,
  type EventSink,
  platform,
  type TrainEvent,
  type TrainerDescriptor,
  type TrainerRun,
} from '@metagrad/core';
import { z } from 'zod';
import { tuneBaseline } from '../classic-policies/registry.js';
import type { Env } from '../env/env.js';
import { type EnvSettings, envFor, envNames, registerEnv } from '../env/env-registry.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { defaultRecipe, defaultRecipeLines } from './default-recipes.js';
import { rl2Checkpoints, rl2ConfigSchema, rl2EvaluationSeed } from './rl2-config.js';
import { checkRl2Config, checkRl2ConfigOnEnv, unusedRl2Settings } from './rl2-config-checks.js';
import { Rl2Trainer } from './rl2-trainer.js';
import { saveRl2Agent } from './saved-agent.js';

/** Everything an RL² run is configured by; each field's description is its `--flag` help. */
export const rl2TrainSchema = z.object({
  ...rl2ConfigSchema.shape,
  envModule: z
    .string()
    .optional()
    .describe(
      'a module whose default export { name, create(settings) } adds an environment (see the README)',
    ),
});

export type Rl2TrainConfig = z.output<typeof rl2TrainSchema>;

/** The environment and trial length when not given (the schema's defaults), for choosing the default recipe. */
const DEFAULT_ENV = rl2ConfigSchema.shape.env.parse(undefined);
const DEFAULT_EPISODES = rl2ConfigSchema.shape.episodes.parse(undefined);

/** Baselines a dashboard compares the agent with (the paper's strongest classic algorithms). */
const REFERENCE_BASELINES: Record<string, readonly string[]> = {
  bandit: ['ucb1', 'thompson', 'gittins'],
  mdp: ['psrl', 'ucrl2', 'beb'],
};

/** What an environment module's `create()` must return before training may use it. */
const ENV_MEMBERS = {
  name: 'string',
  numActions: 'positive count',
  observationSize: 'count',
  episodeLength: 'positive count',
  sampleTasks: 'method',
  describe: 'method',
} as const;

/**
 * RL² training (Duan et al. 2016) as a {@link TrainerDescriptor}: the `metagrad rl2 train` command,
 * its dashboard and `runs compare` are built from it. A run keeps its best agent in `best/`
 * (rewritten at every new best evaluation, so even a run killed outright leaves one) and its final
 * agent in `agent/`. Without a config file, an environment's settings default to the recipe the
 * README reports for it ({@link defaultRecipe}).
 */
export const rl2Training: TrainerDescriptor<Rl2TrainConfig> = {
  name: 'rl2',
  kind: 'rl2-train',
  description:
    'train an RL² agent with PPO or TRPO on a distribution of bandits, tabular MDPs, or your own Env',
  unit: 'iteration',
  schema: rl2TrainSchema,
  flagNames: { learningRate: 'lr' },
  configOnly: ['gaeLambdaSchedule'],
  help: `
Without --config, settings not given come from the recipe the README reports for the environment
(the defaults shown above are the library's, used with --config):
${defaultRecipeLines()
  .map((line) => `  ${line}`)
  .join('\n')}
Set in a --config file only: gaeLambdaSchedule (piecewise-constant GAE λ).

Examples:
  $ metagrad rl2 train --env bandit --arms 5 --episodes 10 --iterations 300
  $ metagrad rl2 train --env mdp --episodes 10 --run-dir runs/mdp
  $ metagrad rl2 train --env mdp --algorithm trpo --hidden 256 --batch 2500
  $ metagrad rl2 train --env-module examples/chain-env.mjs --env chain --episodes 5
  $ metagrad rl2 train --resume runs/mdp`,
  // The environment's settings (arms) plus the environment and the evaluation's trials and episodes.
  runSettings: ['workers', 'kernels', 'evalEvery', 'checkpointEvery', 'keepCheckpoints'],
  evaluationSettings: ['env', 'envModule', 'arms', 'episodes', 'evalTrials'],
  userModule: {
    field: 'envModule',
    register: (path, name, create) =>
      registerEnv(name, checkedFactory<EnvSettings, Env>(create, ENV_MEMBERS, 'an Env', 'env-module', path)),
  },
  withDefaults: (values, stored, from) => {
    const recipe =
      from === 'none'
        ? defaultRecipe(String(values.env ?? DEFAULT_ENV), Number(values.episodes ?? DEFAULT_EPISODES))
        : undefined;
    for (const [field, value] of Object.entries(recipe?.settings ?? {})) values[field] ??= value;
    // TRPO fits its value network apart from the policy: that is its default network layout.
    if ((values.algorithm ?? stored.algorithm) === 'trpo')
      values.valueNetwork ??= stored.valueNetwork ?? 'separate';
  },
  check: (config) => {
    checkRl2Config(config);
    if (!envNames().includes(config.env))
      throw new ConfigError('env', config.env, `known environments: ${envNames().join(', ')}`);
    checkRl2ConfigOnEnv(config, envFor(config));
  },
  title: (config) =>
    config.env === 'bandit'
      ? `rl2 bandit n=${config.episodes} k=${config.arms}`
      : `rl2 ${config.env} n=${config.episodes}`,
  runName: (config) => `rl2-${config.env}`,
  // Read from disk, a run's config may predate a setting: only a known algorithm leaves any unread.
  unusedSettings: (config) =>
    config.algorithm === 'ppo' || config.algorithm === 'trpo' ? unusedRl2Settings(config) : [],
  checkpoints: (dir, config) => rl2Checkpoints(dir, config.keepCheckpoints),
  start: (config, context): TrainerRun => {
    let trainer: Rl2Trainer | undefined;
    const bestAgent: EventSink<TrainEvent> = {
      required: true, // a best agent that cannot be written stops the run, as the log does
      emit: (e) => {
        const weights = trainer?.bestWeightValues;
        if (e.type === 'evaluation' && e.best && weights)
          saveRl2Agent(weights, config, platform.joinPath(context.runDir, 'best'));
      },
    };
    context.events.subscribe(bestAgent);
    trainer = new Rl2Trainer({
      config,
      events: context.events,
      checkpointDir: context.checkpointDir,
      resumeFrom: context.resumeFrom,
      checkpointNotes: context.checkpointNotes,
      beforeIteration: context.beforeStep,
    });
    const trained = trainer;
    return {
      train: () => trained.train(),
      stop: () => trained.stop(),
      requestCheckpoint: () => trained.requestCheckpoint(),
      reference: async () => ({ entries: await referenceEntries(config, trained.env) }),
      finish: async (summary) => {
        if (summary.reason === 'failed') return {};
        saveRl2Agent(
          await trained.policy.weightValues(),
          trained.config,
          platform.joinPath(context.runDir, 'agent'),
        );
        const best = trained.bestWeightValues;
        if (best) saveRl2Agent(best, trained.config, platform.joinPath(context.runDir, 'best'));
        return {};
      },
      dispose: () => trained.dispose(),
    };
  },
};

/** The reference baselines on the run's own held-out trials: same stream and count, so comparable. */
async function referenceEntries(
  config: Rl2TrainConfig,
  env: Env,
): Promise<{ label: string; value: number }[]> {
  const entries: { label: string; value: number }[] = [];
  for (const name of REFERENCE_BASELINES[config.env] ?? []) {
    const policy = await tuneBaseline(env, name, { episodes: config.episodes, seed: 'tune' });
    const r = await evaluatePolicy(policy, env, {
      episodes: config.episodes,
      trials: config.evalTrials,
      seed: rl2EvaluationSeed(config.seed),
    });
    entries.push({ label: name, value: r.mean });
  }
  return entries;
}
