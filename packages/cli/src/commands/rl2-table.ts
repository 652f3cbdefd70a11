import { backendSchema, ConfigError } from '@metagrad/core';
import {
  BANDIT_BASELINES,
  type EvaluationResult,
  envFor,
  evaluatePolicy,
  MDP_BASELINES,
  MDP_REFERENCES,
  type Policy,
  pairedDifference,
  paperResult,
} from '@metagrad/rl';
import type { Command } from 'commander';
import { z } from 'zod';
import { backendFromEnvironment } from '../flags/backend-environment.js';
import { addJsonFlag } from '../flags/json-flag.js';
import { addSchemaFlags, flagValues, resolveFlags, schemaFlags } from '../flags/schema-flags.js';
import { chooseBackend } from '../run/backend-choice.js';
import { resolvePolicy } from './rl2-eval.js';

const BANDIT_SETTINGS = ['10x5', '10x10', '10x50', '100x5', '100x10', '100x50', '500x5', '500x10', '500x50'];
const MDP_SETTINGS = ['10', '25', '50', '75', '100'];

/** Everything `rl2 table` is configured by; each field's description is its `--flag` help. */
const tableSchema = z.object({
  env: z.enum(['bandit', 'mdp']).default('bandit').describe("the paper's Table 1 (bandit) or Table 2 (mdp)"),
  settings: z
    .string()
    .min(1)
    .optional()
    .describe('settings to run, e.g. 10x5,100x5 (bandit: n×k) or 10,25 (mdp: n); default all'),
  trials: z.number().int().positive().max(1e6).default(1000).describe('trials per cell'),
  backend: backendSchema,
});

/** The flags of `rl2 table`, each declared once, from its schema. */
export const RL2_TABLE_FLAGS = schemaFlags(tableSchema);

/** `metagrad rl2 table`: the paper's Table 1 (bandits) or Table 2 (MDPs) for every baseline and given agents. */
export function registerRl2TableCommand(rl2: Command): void {
  const command = rl2
    .command('table')
    .description(
      "every baseline (and --agent runs) over the paper's settings, laid out like its Tables 1 and 2",
    );
  addJsonFlag(addSchemaFlags(command, RL2_TABLE_FLAGS))
    .option('--agent <dir...>', 'RL² run directories to add as columns')
    .addHelpText(
      'after',
      '\nExamples:\n  $ metagrad rl2 table --env bandit --settings 10x5,100x5\n  $ metagrad rl2 table --env mdp --settings 10 --agent runs/mdp --json',
    )
    .action(async (options: Record<string, unknown> & { agent?: string[]; json?: boolean }) => {
      const values = flagValues(options, RL2_TABLE_FLAGS);
      backendFromEnvironment(values, {});
      const flags = {
        ...resolveFlags(tableSchema, {}, values, RL2_TABLE_FLAGS),
        agent: options.agent,
        json: options.json,
      };
      await chooseBackend(flags.backend);
      const all = flags.env === 'bandit' ? BANDIT_SETTINGS : MDP_SETTINGS;
      const settings = flags.settings ? flags.settings.split(',') : all;
      for (const s of settings)
        if (!all.includes(s)) throw new ConfigError('settings', s, `expected some of ${all.join(', ')}`);
      const columns = [
        ...(flags.env === 'bandit' ? BANDIT_BASELINES : [...MDP_BASELINES, ...MDP_REFERENCES]),
        ...(flags.agent ?? []),
      ];
      if (!flags.json)
        process.stdout.write(`${'setting'.padEnd(11)} ${columns.map((c) => c.padStart(15)).join(' ')}\n`);
      const rows: Record<string, unknown>[] = [];
      for (const setting of settings) {
        const [n, k] = setting.split('x').map(Number) as [number, number | undefined];
        const env = envFor({ env: flags.env, arms: k ?? 5 });
        const results: { column: string; policy: Policy; result: EvaluationResult }[] = [];
        for (const column of columns) {
          const policy = await resolvePolicy(column, env, n);
          const result = await evaluatePolicy(policy, env, { episodes: n, trials: flags.trials, seed: 1 });
          results.push({ column, policy, result });
        }
        const cells = results.map(({ column, policy, result: r }, j) => {
          // Agents are compared with the paper's RL² column.
          const paper = paperResult(flags.env, setting, policy.name) ?? null;
          // A column that acts as an earlier one on every trial (paired difference exactly zero) says so.
          const twin = results.slice(0, j).find((other) => {
            const d = pairedDifference(r, other.result);
            return d.mean === 0 && d.stderr === 0;
          });
          return {
            column,
            policy: policy.describe(),
            mean: r.mean,
            stderr: r.stderr,
            sameAs: twin?.column ?? null,
            paper,
            withinTwoStandardErrors: paper === null ? null : Math.abs(r.mean - paper) <= 2 * r.stderr,
          };
        });
        if (!flags.json) {
          const label = flags.env === 'bandit' ? `n=${n},k=${k}` : `n=${n}`;
          process.stdout.write(
            `${label.padEnd(11)} ${cells.map((c) => (c.sameAs ? `= ${c.sameAs}` : `${c.mean.toFixed(1)}±${c.stderr.toFixed(1)}`).padStart(15)).join(' ')}\n` +
              `${'  paper'.padEnd(11)} ${cells.map((c) => (c.paper === null ? '-' : `${c.paper.toFixed(1)}${c.withinTwoStandardErrors ? '' : ' *'}`).padStart(15)).join(' ')}\n`,
          );
        }
        rows.push({ setting, episodes: n, arms: k ?? null, cells });
      }
      if (!flags.json)
        process.stdout.write(
          '* more than 2 standard errors from the paper (Duan et al. 2016)\n' +
            '= acts as that column on every evaluation trial (paired difference exactly 0), so it is not repeated\n',
        );
      if (flags.json)
        process.stdout.write(`${JSON.stringify({ env: flags.env, trials: flags.trials, columns, rows })}\n`);
    });
}
