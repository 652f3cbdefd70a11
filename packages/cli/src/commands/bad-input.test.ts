import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { l2lTraining } from '@metagrad/optimizers';
import { rl2Training } from '@metagrad/rl';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import type { SchemaFlag } from '../flags/schema-flags.js';
import { buildProgram } from '../program.js';
import { EXIT_CODES, exitCodeFor } from '../run/exit-codes.js';
import { trainerFlags } from '../trainers/trainer-flags.js';
import { L2L_EVAL_FLAGS } from './l2l-eval.js';
import { STUDY_FLAGS } from './l2l-study.js';
import { RL2_EVAL_FLAGS } from './rl2-eval.js';
import { RL2_TABLE_FLAGS } from './rl2-table.js';

/**
 * The bad-input catalogue: every flag of every command that takes a value, given values out of
 * bounds, of the wrong type or unknown, must stop the command before it writes anything, with exit
 * code 2 and one line naming the flag. Runs in-process (the actions fail at validation).
 */

const dir = mkdtempSync(join(tmpdir(), 'bad-input-'));
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'not a directory');
const typo = join(dir, 'typo.json');
writeFileSync(typo, '{"env": "bandit", "iteration": 3}');
const huge = join(dir, 'huge.json');
writeFileSync(huge, `{"trials": 10, "pad": "${'x'.repeat(1 << 20)}"}`);

/** Invalid values for free-text flags, by flag name. */
const TEXT_CASES: Record<string, string[]> = {
  task: ['no-such-task'],
  env: ['no-such-env'],
  seed: ['', '1.5', '0x10', '1e3', '9007199254740993'],
  data: [join(dir, 'missing')], // given with --task mlp: quadratics read no data
  'task-module': [join(dir, 'missing.mjs')],
  'env-module': [join(dir, 'missing.mjs')],
  optimizer: ['adagrad'],
  policy: ['softmax'],
  against: ['softmax'],
  architectures: ['20;40', '20/0', '20/5000', 'x'],
  settings: ['7x7', ''],
};

/** Values a flag of this kind must refuse. */
function badValues(flag: SchemaFlag): string[] {
  switch (flag.kind) {
    case 'int':
    case 'number': {
      const out = ['x', '1e400'];
      if (flag.kind === 'int') out.push('1.5');
      if (flag.min !== undefined) out.push(String(flag.minExclusive ? flag.min : flag.min - 1));
      if (flag.max !== undefined) out.push(String(flag.max * 10 + 1));
      return out;
    }
    case 'int-list':
      return [
        '1,x',
        ...(flag.max === undefined ? [] : [String(flag.max + 1)]),
        ...(flag.min === undefined ? [] : ['0']),
      ];
    case 'choice':
      return ['bogus'];
    case 'choice-list':
      return ['bogus', `${flag.choices![0]},bogus`];
    case 'text':
      return TEXT_CASES[flag.flag] ?? [];
    default:
      return []; // switches take no value
  }
}

const COMMANDS: { command: string[]; flags: SchemaFlag[]; required: string[] }[] = [
  { command: ['l2l', 'train'], flags: trainerFlags(l2lTraining), required: [] },
  { command: ['l2l', 'eval'], flags: L2L_EVAL_FLAGS, required: ['--optimizer', 'sgd'] },
  { command: ['l2l', 'study', 'generalisation'], flags: STUDY_FLAGS, required: ['--optimizer', dir] },
  { command: ['rl2', 'train'], flags: trainerFlags(rl2Training), required: [] },
  { command: ['rl2', 'eval'], flags: RL2_EVAL_FLAGS, required: ['--policy', 'random'] },
  { command: ['rl2', 'table'], flags: RL2_TABLE_FLAGS, required: [] },
];

/** The flags of the other commands, with values each must refuse. */
const OTHER_CASES: [string[], string][] = [
  [['l2l', 'train', '--config', join(dir, 'missing.json')], 'config'],
  [['l2l', 'train', '--resume', join(dir, 'missing')], 'run-dir'],
  [['l2l', 'train', '--run-dir', join(aFile, 'run')], 'run-dir'],
  [['rl2', 'train', '--config', aFile], 'config'],
  [['rl2', 'train', '--resume', dir], 'run-dir'],
  [['rl2', 'train', '--batch', '100000', '--episodes', '10000'], 'batch'], // each fine, the product not
  [['l2l', 'train', '--dims', '1000', '--instances', '100000'], 'instances'], // 4 MB an instance
  [['l2l', 'train', '--truncation', 'growing', '--start-unroll', '30'], 'invalid start-unroll:'], // above --unroll 20
  [['l2l', 'train', '--seed', '9007199254740993'], '"9007199254740993"'], // as typed, not rounded
  [['l2l', 'train', '--workers', '64'], 'at most'], // more than the cores
  [['rl2', 'train', '--config', typo], 'did you mean "iterations"?'],
  [['l2l', 'train', '--config', '/dev/zero'], 'is not a regular file'],
  [['l2l', 'train', '--config', dir], 'is not a regular file'],
  [['rl2', 'eval', '--policy', 'random', '--config', huge], 'at most'],
  [['runs', 'list', join(dir, 'missing')], 'no such directory'],
  [['runs', 'list', aFile], 'is a file'],
  [['rl2', 'table', '--env', 'bogus'], 'env'],
  [['rl2', 'table', '--settings', '7x7'], 'settings'],
  [['rl2', 'table', '--trials', '0'], 'trials'],
  [['rl2', 'table', '--trials', 'x'], 'trials'],
  [['rl2', 'table', '--backend', 'tpu'], 'backend'],
  [['runs', 'show', join(dir, 'missing')], 'run-dir'],
  [['runs', 'export', dir, '--format', 'xml'], 'format'],
  [['runs', 'plot', join(dir, 'missing'), '--out', join(dir, 'x.svg')], 'run-dir'],
  [['watch', join(dir, 'missing')], 'run-dir'],
];

async function run(args: string[]): Promise<{ code: number; message: string }> {
  const program = buildProgram().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    await program.parseAsync(['node', 'metagrad', ...args]);
    return { code: EXIT_CODES.ok, message: '' };
  } catch (error) {
    if (error instanceof CommanderError)
      return { code: error.exitCode === 0 ? 0 : 2, message: error.message };
    return { code: exitCodeFor(error), message: (error as Error).message };
  }
}

describe('bad input: every flag of every command', () => {
  const cases = COMMANDS.flatMap(({ command, flags, required }) =>
    flags.flatMap((flag) =>
      badValues(flag).map((value) => ({
        args: [
          ...command,
          ...required,
          ...(flag.flag === 'data' ? ['--task', 'mlp'] : []),
          `--${flag.flag}`,
          value,
        ],
        flag: flag.flag,
      })),
    ),
  );

  it('covers every flag that takes a value', () => {
    for (const { flags } of COMMANDS) {
      for (const flag of flags) {
        if (flag.kind === 'switch' || flag.kind === 'negated-switch') continue;
        expect(badValues(flag).length, `--${flag.flag} has no bad values`).toBeGreaterThan(0);
      }
    }
    expect(cases.length).toBeGreaterThan(150);
  });

  it.each(cases)('$args.0 $args.1 … --$flag: exit 2, one line naming the flag', async ({ args, flag }) => {
    const { code, message } = await run(args);
    expect(code, `${args.join(' ')} → ${message}`).toBe(2);
    expect(message).not.toContain('\n');
    expect(message).toContain(flag);
  });

  it('METAGRAD_BACKEND names a backend, as --backend does', async () => {
    process.env.METAGRAD_BACKEND = 'tpu';
    try {
      const { code, message } = await run(['rl2', 'eval', '--policy', 'random']);
      expect(code).toBe(2);
      expect(message).toMatch(/^invalid METAGRAD_BACKEND: "tpu" \(expected one of /);
    } finally {
      delete process.env.METAGRAD_BACKEND;
    }
  });

  it.each(OTHER_CASES)('%j: exit 2, one line naming %s', async (args, flag) => {
    const { code, message } = await run(args);
    expect(code, message).toBe(2);
    expect(message).not.toContain('\n');
    expect(message).toContain(flag);
  });
});
