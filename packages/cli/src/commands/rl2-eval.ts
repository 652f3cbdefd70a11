import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@metagrad/core';
import {
  BANDIT_BASELINES,
  BernoulliBandit,
  type Env,
  evaluatePolicy,
  loadRl2Agent,
  MDP_BASELINES,
  type Policy,
  pairedDifference,
  TabularMdp,
  tuneBaseline,
} from '@metagrad/rl';
import type { Command } from 'commander';
import { z } from 'zod';
import { intFlag, mergeConfig, readConfigFile, seedFlag } from '../options.js';
import { chooseBackend } from '../run/backend-choice.js';

export const rl2EvalSchema = z.object({
  env: z.enum(['bandit', 'mdp']).default('bandit'),
  arms: z.number().int().min(2).default(5),
  episodes: z.number().int().min(1).default(10),
  trials: z.number().int().positive().default(1000),
  seed: z.union([z.number().int(), z.string().min(1)]).default(1),
  backend: z.string().default('wasm'),
});

export type Rl2EvalSettings = z.output<typeof rl2EvalSchema>;

export function envOf(settings: Pick<Rl2EvalSettings, 'env' | 'arms'>): Env {
  return settings.env === 'bandit' ? new BernoulliBandit(settings.arms) : new TabularMdp();
}

/** A baseline (tuned on separate trials) or a trained agent from a run directory. */
export function resolvePolicy(name: string, env: Env, episodes: number): Policy {
  const baselines: readonly string[] = env.name === 'bandit' ? BANDIT_BASELINES : MDP_BASELINES;
  if (baselines.includes(name)) return tuneBaseline(env, name, { episodes, seed: 'tune' });
  for (const dir of [join(name, 'best'), join(name, 'agent'), name]) {
    if (existsSync(join(dir, 'agent.json'))) {
      try {
        return loadRl2Agent(dir).agent;
      } catch (error) {
        throw new ConfigError('policy', name, (error as Error).message);
      }
    }
  }
  throw new ConfigError(
    'policy',
    name,
    `is neither a ${env.name} baseline (${baselines.join(', ')}) nor a run directory`,
  );
}

/** Trials longer than this print no per-episode line (it would wrap); `--json` always has it. */
const MAX_EPISODES_SHOWN = 25;

/** `metagrad rl2 eval`. */
export function registerRl2EvalCommand(rl2: Command): void {
  rl2
    .command('eval')
    .description('evaluate a trained RL² agent or a (tuned) baseline on fresh trials')
    .requiredOption(
      '--policy <name|dir>',
      'RUN_DIR or a baseline: random, greedy, epsilon-greedy, ucb1, thompson, ots, gittins, psrl, opsrl, ucrl2, beb, q-learning',
    )
    .option('--env <name>', 'bandit | mdp')
    .option('--arms <k>', 'bandit arms; default 5', intFlag('arms'))
    .option('--episodes <n>', 'episodes per trial; default 10', intFlag('episodes'))
    .option('--trials <t>', 'trials; default 1000', intFlag('trials'))
    .option('--seed <s>', 'seed of the evaluation trials; default 1')
    .option('--backend <name>', 'wasm | cpu | tensorflow | cuda | auto; default wasm')
    .option('--config <file>', 'JSON file with any of these settings (flags win)')
    .option('--against <name|dir>', 'also report the paired difference policy − this one on the same trials')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      '\nExamples:\n  $ metagrad rl2 eval --env bandit --arms 5 --episodes 100 --policy gittins --json\n  $ metagrad rl2 eval --env mdp --policy runs/mdp\n  $ metagrad rl2 eval --env bandit --episodes 10 --policy runs/bandit --against gittins',
    )
    .action(
      async (
        flags: { policy: string; against?: string; json?: boolean; seed?: string; config?: string } & Record<
          string,
          unknown
        >,
      ) => {
        const settings = mergeConfig(rl2EvalSchema, readConfigFile(flags.config), {
          env: flags.env,
          arms: flags.arms,
          episodes: flags.episodes,
          trials: flags.trials,
          backend: flags.backend,
          seed: seedFlag(flags.seed),
        });
        const backend = await chooseBackend(settings.backend);
        const env = envOf(settings);
        const policy = resolvePolicy(flags.policy, env, settings.episodes);
        const reference = flags.against ? resolvePolicy(flags.against, env, settings.episodes) : undefined;
        const evaluate = (p: typeof policy) =>
          evaluatePolicy(p, env, {
            episodes: settings.episodes,
            trials: settings.trials,
            seed: settings.seed,
          });
        const r = evaluate(policy);
        const against = reference
          ? { policy: reference.name, ...pairedDifference(r, evaluate(reference)) }
          : null;
        const result = {
          policy: policy.name,
          settings: policy.describe(),
          env: settings.env,
          arms: settings.env === 'bandit' ? settings.arms : null,
          episodes: settings.episodes,
          trials: r.trials,
          mean: r.mean,
          stderr: r.stderr,
          episodeMeans: r.episodeMeans,
          against,
          backend: backend.name,
        };
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else
          process.stdout.write(
            `${policy.name} on ${settings.env} (n = ${settings.episodes}${result.arms ? `, k = ${result.arms}` : ''}): ` +
              `${r.mean.toFixed(2)} ± ${r.stderr.toFixed(2)} over ${r.trials} trials\n` +
              (r.episodeMeans.length <= MAX_EPISODES_SHOWN
                ? `  mean reward by episode: ${r.episodeMeans.map((m) => m.toFixed(2)).join(' ')}\n`
                : '') +
              (against
                ? `  minus ${against.policy} on the same trials: ${against.mean.toFixed(3)} ± ${against.stderr.toFixed(3)}\n`
                : ''),
          );
      },
    );
}
