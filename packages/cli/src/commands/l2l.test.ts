import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { metagrad } from '../testing/run-metagrad.js';

describe('metagrad l2l', () => {
  it.each([
    [['l2l', 'train', '--epochs', '0'], /invalid epochs: 0/],
    [['l2l', 'train', '--epochs', 'ten'], /invalid epochs: "ten" \(expected an integer\)/],
    [['l2l', 'train', '--task', 'cifar'], /invalid task: "cifar"/],
    [
      ['l2l', 'train', '--steps', '100', '--unroll', '30'],
      /invalid steps: 100 \(must be a multiple of unroll \(30\)\)/,
    ],
    [['l2l', 'train', '--backend', 'tpu'], /invalid backend: "tpu"/],
    [
      ['l2l', 'train', '--config', '/nonexistent.json'],
      /invalid config: "\/nonexistent.json" \(cannot be read/,
    ],
    [['l2l', 'train', '--resume', '/tmp'], /invalid run-dir: "\/tmp" \(no config.json/],
    [['l2l', 'eval', '--optimizer', 'adagrad'], /invalid optimizer: "adagrad" \(is neither a baseline/],
    [['l2l', 'train', '--bogus'], /unknown option '--bogus'/],
  ])('bad input %j exits 2 with one clear line', (args, message) => {
    const { code, stderr } = metagrad(...args);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toMatch(message);
  });

  it('trains end to end in non-TTY mode, writes the run directory, and refuses to reuse it', () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'l2l-')), 'run');
    const { code, stdout } = metagrad(
      'l2l',
      'train',
      '--epochs',
      '4',
      '--steps',
      '20',
      '--unroll',
      '10',
      '--instances',
      '16',
      '--eval-every',
      '2',
      '--eval-instances',
      '16',
      '--no-compare',
      '--run-dir',
      runDir,
    );
    expect(code).toBe(0);
    expect(stdout).not.toContain('\u001b['); // no escape codes without a TTY
    for (const f of [
      'config.json',
      'metrics.jsonl',
      'summary.json',
      'optimizer/optimizer.json',
      'best/weights.bin',
    ]) {
      expect(existsSync(join(runDir, f))).toBe(true);
    }
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ seed: 0, backend: 'wasm', config: { epochs: 4, task: 'quadratic' } });
    expect(config.run.metagradVersion).toBe('0.1.0');
    const events = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'progress')).toHaveLength(8);
    const again = metagrad('l2l', 'train', '--run-dir', runDir, '--epochs', '1');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/holds another run; pass --resume/);

    const evaluated = metagrad('l2l', 'eval', '--optimizer', runDir, '--instances', '16', '--json');
    expect(evaluated.code).toBe(0);
    const result = JSON.parse(evaluated.stdout);
    expect(result).toMatchObject({ optimizer: 'l2l-lstm', task: 'quadratic' });
    expect(result.curve).toHaveLength(101);
    expect(Number.isFinite(result.log10FinalLoss)).toBe(true);

    // The generalisation study of the same run: the trained setting and twice its horizon, on test tasks.
    const study = metagrad(
      'l2l',
      'study',
      'generalisation',
      '--optimizer',
      runDir,
      '--instances',
      '8',
      '--tune-instances',
      '4',
    );
    expect(study.code, study.stderr).toBe(0);
    expect(study.stdout).toMatch(/as trained\s+20 .* ± .*\n40 steps\s+40 /);
    const report = JSON.parse(readFileSync(join(runDir, 'study-generalisation', 'study.json'), 'utf8'));
    expect(report).toMatchObject({ split: 'test', seed: 0, instances: 8 });
    expect(report.rows.map((r: { label: string }) => r.label)).toEqual(['as trained', '40 steps']);
    expect(readFileSync(join(runDir, 'study-generalisation', 'study.svg'), 'utf8')).toMatch(/^<svg/);
    const studyAgain = metagrad('l2l', 'study', 'generalisation', '--optimizer', runDir);
    expect(studyAgain.code).toBe(2); // the study is there: --force to replace it
  });

  it('evaluates a baseline with a tuned learning rate as JSON', () => {
    const { code, stdout } = metagrad(
      'l2l',
      'eval',
      '--optimizer',
      'sgd',
      '--tune-lr',
      '--instances',
      '16',
      '--json',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ optimizer: 'sgd', task: 'quadratic' });
    expect(result.learningRate).toBeGreaterThan(0);
    expect(Object.keys(result)).toEqual(
      expect.arrayContaining(['optimizer', 'task', 'log10FinalLoss', 'finalLossMean', 'curve']),
    );
  });
});
