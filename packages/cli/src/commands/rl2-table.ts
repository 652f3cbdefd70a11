import { ConfigError } from '@metagrad/core';
import {
  BANDIT_BASELINES,
  envFor,
  evaluatePolicy,
  MDP_BASELINES,
  pairedDifference,
  paperResult,
} from '@metagrad/rl';
import type { Command } from 'commander';
import { intFlag } from '../flags/int-flag.js';
import { chooseBackend } from '../run/backend-choice.js';
import { resolvePolicy } from './rl2-eval.js';

const BANDIT_SETTINGS = ['10x5', '10x10', '10x50', '100x5', '100x10', '100x50', '500x5', '500x10', '500x50'];
const MDP_SETTINGS = ['10', '25', '50', '75', '100'];

/** `metagrad rl2 table`: the paper's Table 1 (bandits) or Table 2 (MDPs) for every baseline and given agents. */
export function registerRl2TableCommand(rl2: Command): void {
  rl2
    .command('table')
    .description(
      "every baseline (and --agent runs) over the paper's settings, laid out like its Tables 1 and 2",
    )
    .option('--env <name>', 'bandit | mdp', 'bandit')
    .option(
      '--settings <list>',
      `settings to run, e.g. 10x5,100x5 (bandit: n×k) or 10,25 (mdp: n); default all`,
    )
    .option('--agent <dir...>', 'RL² run directories to add as columns')
    .option('--trials <t>', 'trials per cell; 1–1e6; default 1000', intFlag('trials'), 1000)
    .option('--backend <name>', 'wasm | cpu | webgpu | tensorflow | cuda | auto', 'wasm')
    .option('--json', 'print one JSON object')
    .addHelpText(
      'after',
      '\nExamples:\n  $ metagrad rl2 table --env bandit --settings 10x5,100x5\n  $ metagrad rl2 table --env mdp --settings 10 --agent runs/mdp --json',
    )
    .action(
      async (flags: {
        env: string;
        settings?: string;
        agent?: string[];
        trials: number;
        backend: string;
        json?: boolean;
      }) => {
        if (flags.env !== 'bandit' && flags.env !== 'mdp')
          throw new ConfigError('env', flags.env, 'expected bandit or mdp');
        if (flags.trials < 1 || flags.trials > 1e6)
          throw new ConfigError('trials', flags.trials, 'expected an integer from 1 to 1e6');
        await chooseBackend(flags.backend);
        const all = flags.env === 'bandit' ? BANDIT_SETTINGS : MDP_SETTINGS;
        const settings = flags.settings ? flags.settings.split(',') : all;
        for (const s of settings)
          if (!all.includes(s)) throw new ConfigError('settings', s, `expected some of ${all.join(', ')}`);
        const columns = [
          ...(flags.env === 'bandit' ? BANDIT_BASELINES : MDP_BASELINES),
          ...(flags.agent ?? []),
        ];
        if (!flags.json)
          process.stdout.write(`${'setting'.padEnd(11)} ${columns.map((c) => c.padStart(15)).join(' ')}\n`);
        const rows = settings.map((setting) => {
          const [n, k] = setting.split('x').map(Number) as [number, number | undefined];
          const env = envFor({ env: flags.env, arms: k ?? 5 });
          const results = columns.map((column) => {
            const policy = resolvePolicy(column, env, n);
            return {
              column,
              policy,
              result: evaluatePolicy(policy, env, { episodes: n, trials: flags.trials, seed: 1 }),
            };
          });
          const cells = results.map(({ column, policy, result: r }, j) => {
            // Agents are compared with the paper's RL² column.
            const paper = paperResult(flags.env as 'bandit' | 'mdp', setting, policy.name) ?? null;
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
          return { setting, episodes: n, arms: k ?? null, cells };
        });
        if (!flags.json)
          process.stdout.write(
            '* more than 2 standard errors from the paper (Duan et al. 2016)\n' +
              '= acts as that column on every evaluation trial (paired difference exactly 0), so it is not repeated\n',
          );
        if (flags.json)
          process.stdout.write(
            `${JSON.stringify({ env: flags.env, trials: flags.trials, columns, rows })}\n`,
          );
      },
    );
}
