import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backendSchema, ConfigError, seedSchema } from '@metagrad/core';
import {
  BANDIT_BASELINES,
  BANDIT_REFERENCES,
  type Env,
  envFor,
  evaluatePolicy,
  loadRl2Agent,
  MDP_BASELINES,
  MDP_REFERENCES,
  type Policy,
  pairedDifference,
  type StateUseCounts,
  StateUseDiagnostic,
  type StateUseReport,
  tuneBaseline,
} from '@metagrad/rl';
import type { Command } from 'commander';
import { z } from 'zod';
import { backendFromEnvironment } from '../flags/backend-environment.js';
import { readConfigFile } from '../flags/config-file.js';
import { addJsonFlag } from '../flags/json-flag.js';
import { addSchemaFlags, flagValues, resolveFlags, schemaFlags } from '../flags/schema-flags.js';
import { loadEnvModule } from '../flags/user-modules.js';
import { chooseBackend } from '../run/backend-choice.js';
import { RUN_FILES, readRunConfig } from '../run/run-directory.js';

/** Everything `rl2 eval` is configured by; each field's description is its `--flag` help. */
export const rl2EvalSchema = z.object({
  policy: z
    .string()
    .min(1)
    .describe(
      'RUN_DIR or a baseline: random, greedy, epsilon-greedy, ucb1, ucb1-posterior, thompson, ots, gittins, bayes-optimal (bandits, ≤ 30 pulls), finite-horizon-gittins (bandits, ≤ 200 pulls), psrl, opsrl, ucrl2, beb, q-learning, state-blind, myopic (MDPs)',
    ),
  against: z
    .string()
    .min(1)
    .optional()
    .describe('also report the paired difference policy − this one on the same trials'),
  env: z.string().min(1).default('bandit').describe('environment: bandit, mdp, or one an --env-module adds'),
  arms: z.number().int().min(2).max(1000).default(5).describe('bandit arms (k)'),
  episodes: z.number().int().min(1).max(10_000).default(10).describe('episodes per trial (n)'),
  trials: z.number().int().positive().max(1e6).default(1000).describe('evaluation trials'),
  seed: seedSchema.default(1).describe('seed of the evaluation trials'),
  greedy: z
    .boolean()
    .default(false)
    .describe('trained agents take their most probable action instead of sampling (baselines are unchanged)'),
  diagnose: z
    .boolean()
    .default(false)
    .describe(
      'MDPs: where the best action in the current state and the best ignoring the state differ (by rewards so far), how often the policy follows each',
    ),
  backend: backendSchema,
  envModule: z
    .string()
    .optional()
    .describe(
      'a module whose default export { name, create(settings) } adds an environment (wins over the one a run recorded)',
    ),
});

export type Rl2EvalSettings = z.output<typeof rl2EvalSchema>;

/** The flags of `rl2 eval`, each declared once, from its schema. */
export const RL2_EVAL_FLAGS = schemaFlags(rl2EvalSchema);

/** Loads the environment module a trained agent's run was recorded with, if any (for custom environments). */
async function loadRunEnvModule(policy: string): Promise<void> {
  if (!existsSync(join(policy, RUN_FILES.config))) return;
  const module = readRunConfig(policy).config.envModule;
  if (typeof module === 'string') await loadEnvModule(module);
}

/** A baseline (tuned on separate trials) or a trained agent from a run directory. */
export async function resolvePolicy(
  name: string,
  env: Env,
  episodes: number,
  field = 'policy',
  agentOptions: { greedy?: boolean } = {},
): Promise<Policy> {
  const baselines: readonly string[] =
    env.name === 'bandit'
      ? [...BANDIT_BASELINES, ...BANDIT_REFERENCES]
      : [...MDP_BASELINES, ...MDP_REFERENCES];
  if (baselines.includes(name)) return tuneBaseline(env, name, { episodes, seed: 'tune' });
  for (const dir of [join(name, 'best'), join(name, 'agent'), name]) {
    if (existsSync(join(dir, 'agent.json'))) {
      try {
        return loadRl2Agent(dir, agentOptions).agent;
      } catch (error) {
        throw new ConfigError(field, name, (error as Error).message);
      }
    }
  }
  throw new ConfigError(
    field,
    name,
    `is neither a ${env.name} baseline (${baselines.join(', ')}) nor a run directory`,
  );
}

/** The fractions of the decisive steps that followed the state, and that ignored it. */
function fractions(counts: StateUseCounts): { followedState: number; followedStateBlind: number } {
  const share = (n: number) => (counts.decisive > 0 ? n / counts.decisive : Number.NaN);
  return { followedState: share(counts.followedState), followedStateBlind: share(counts.followedStateBlind) };
}

/** A {@link StateUseReport} with its fractions, overall and by episode, for JSON and print. */
function stateUseSummary(report: StateUseReport) {
  return {
    ...report,
    ...fractions(report),
    byEpisode: report.byEpisode.map((e) => ({ ...e, ...fractions(e) })),
  };
}

function describeStateUse(summary: ReturnType<typeof stateUseSummary>, episodes: number): string {
  const percent = (f: number) => (Number.isNaN(f) ? '–' : `${(100 * f).toFixed(1)} %`);
  return (
    `  where the best action in the state and the best ignoring it differ (${summary.decisive} of ${summary.steps} steps):\n` +
    `    followed the state ${percent(summary.followedState)}, ignored it ${percent(summary.followedStateBlind)}\n` +
    (episodes <= MAX_EPISODES_SHOWN
      ? `    followed the state, by episode: ${summary.byEpisode.map((e) => percent(e.followedState)).join(' ')}\n`
      : '')
  );
}

/** Trials longer than this print no per-episode line (it would wrap); `--json` always has it. */
const MAX_EPISODES_SHOWN = 25;

/** `metagrad rl2 eval`. */
export function registerRl2EvalCommand(rl2: Command): void {
  const command = rl2
    .command('eval')
    .description('evaluate a trained RL² agent or a (tuned) baseline on fresh trials');
  addJsonFlag(addSchemaFlags(command, RL2_EVAL_FLAGS))
    .option('--config <file>', 'JSON file with any of these settings (flags win)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ metagrad rl2 eval --env bandit --arms 5 --episodes 100 --policy gittins --json\n  $ metagrad rl2 eval --env mdp --policy runs/mdp\n  $ metagrad rl2 eval --env bandit --episodes 10 --policy runs/bandit --against gittins',
    )
    .action(async (flags: Record<string, unknown> & { config?: string; json?: boolean }) => {
      const values = flagValues(flags, RL2_EVAL_FLAGS);
      const file = readConfigFile(flags.config, rl2EvalSchema);
      backendFromEnvironment(values, file);
      const settings = resolveFlags(rl2EvalSchema, file, values, RL2_EVAL_FLAGS);
      // The module given wins over the one a run recorded: it may have moved since.
      if (settings.envModule) await loadEnvModule(settings.envModule);
      else for (const name of [settings.policy, settings.against]) if (name) await loadRunEnvModule(name);
      const backend = await chooseBackend(settings.backend);
      const env = envFor(settings);
      const agentOptions = { greedy: settings.greedy };
      const played = await resolvePolicy(settings.policy, env, settings.episodes, 'policy', agentOptions);
      const policy = settings.diagnose ? new StateUseDiagnostic(played) : played;
      const reference = settings.against
        ? await resolvePolicy(settings.against, env, settings.episodes, 'against', agentOptions)
        : undefined;
      const evaluate = (p: typeof policy) =>
        evaluatePolicy(p, env, {
          episodes: settings.episodes,
          trials: settings.trials,
          seed: settings.seed,
        });
      const r = await evaluate(policy);
      const against = reference
        ? { policy: reference.name, ...pairedDifference(r, await evaluate(reference)) }
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
        stateUse: policy instanceof StateUseDiagnostic ? stateUseSummary(policy.report()) : null,
        backend: backend.name,
      };
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else
        process.stdout.write(
          `${policy.name}${settings.greedy && policy.name === 'rl2' ? ' (greedy)' : ''} on ${settings.env} (n = ${settings.episodes}${result.arms ? `, k = ${result.arms}` : ''}): ` +
            `${r.mean.toFixed(2)} ± ${r.stderr.toFixed(2)} over ${r.trials} trials\n` +
            (r.episodeMeans.length <= MAX_EPISODES_SHOWN
              ? `  mean reward by episode: ${r.episodeMeans.map((m) => m.toFixed(2)).join(' ')}\n`
              : '') +
            (against
              ? `  minus ${against.policy} on the same trials: ${against.mean.toFixed(3)} ± ${against.stderr.toFixed(3)}\n`
              : '') +
            (result.stateUse ? describeStateUse(result.stateUse, r.episodeMeans.length) : ''),
        );
    });
}
