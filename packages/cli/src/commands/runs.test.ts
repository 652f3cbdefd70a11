import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeRun } from '../testing/fake-run.js';
import { metagrad } from '../testing/run-metagrad.js';

describe('metagrad runs', () => {
  it('lists and shows runs, tolerating a run killed mid-write', () => {
    const root = mkdtempSync(join(tmpdir(), 'runs-'));
    const dir = fakeRun(root);
    const list = metagrad('runs', 'list', root, '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([
      { dir, kind: 'l2l-train', status: 'incomplete', best: -0.6, truncatedTail: true },
    ]);
    const show = metagrad('runs', 'show', dir);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('best held-out log10 final loss: -0.6000');
  });

  it('exports CSV and TensorBoard event files', () => {
    const dir = fakeRun(mkdtempSync(join(tmpdir(), 'runs-')));
    const csv = metagrad('runs', 'export', dir, '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe('tag,step,value,wall_time');
    expect(csv.stdout).toContain('evaluation/held-out log10 final loss,2,-0.6,3');
    expect(csv.stdout).toContain('progress/metaLoss,1,10,1');
    const tb = metagrad('runs', 'export', dir, '--format', 'tensorboard');
    expect(tb.code).toBe(0);
    const [file] = readdirSync(join(dir, 'tensorboard'));
    expect(file).toMatch(/^events\.out\.tfevents\.\d+\./);
    const bytes = readFileSync(join(dir, 'tensorboard', file!));
    expect(bytes.readBigUInt64LE(0)).toBeGreaterThan(0n); // first record: the file-version event
  });

  it('compares and plots real runs across seeds: paired differences on shared tasks, ± standard error bands', () => {
    const root = mkdtempSync(join(tmpdir(), 'runs-seeds-'));
    const dirs: string[] = [];
    for (const hidden of [8, 16])
      for (const seed of [0, 1]) {
        const dir = join(root, `h${hidden}-s${seed}`);
        const args = `rl2 train --arms 3 --episodes 5 --batch 16 --iterations 2 --eval-every 1 --eval-trials 50 --workers 1 --no-tui`;
        const run = metagrad(
          ...args.split(' '),
          '--hidden',
          String(hidden),
          '--seed',
          String(seed),
          '--run-dir',
          dir,
        );
        expect(run.code, run.stderr).toBe(0);
        dirs.push(dir);
      }
    const compare = metagrad('runs', 'compare', ...dirs, '--json');
    expect(compare.code, compare.stderr).toBe(0);
    const [small, wide] = JSON.parse(compare.stdout);
    expect(small).toMatchObject({ label: 'hidden=8', seeds: ['0', '1'] });
    expect(wide).toMatchObject({
      label: 'hidden=16',
      seeds: ['0', '1'],
      versusFirst: { method: 'paired', n: 2 },
    });
    // The paired difference is the mean of the per-seed differences of each run's best evaluation.
    const best = (dir: string) =>
      Math.max(
        ...readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line))
          .filter((e) => e.type === 'evaluation')
          .map((e) => e.value),
      );
    const differences = [0, 1].map((seed) => best(dirs[2 + seed]!) - best(dirs[seed]!));
    expect(wide.versusFirst.mean).toBeCloseTo((differences[0]! + differences[1]!) / 2, 10);
    const table = metagrad('runs', 'compare', ...dirs);
    expect(table.stdout).toMatch(/hidden=16\s+0,1\s+-?[\d.]+ ± [\d.]+\s+-?[\d.]+ ± [\d.]+ \(paired\)/);
    const svg = join(root, 'seeds.svg');
    expect(metagrad('runs', 'plot', ...dirs, '--out', svg).code).toBe(0);
    const figure = readFileSync(svg, 'utf8');
    expect(figure.match(/<polygon/g)).toHaveLength(2); // one band per setting
    expect(figure).toContain('hidden=16: held-out mean return (2 seeds)');
    // The y-axis names the objective, not a generic "metric".
    expect(figure).toMatch(/rotate\(-90\)" text-anchor="middle">held-out mean return<\/text>/);
    const againstTime = join(root, 'seeds-time.svg');
    expect(metagrad('runs', 'plot', ...dirs, '--x', 'time', '--out', againstTime).code).toBe(0);
    expect(readFileSync(againstTime, 'utf8')).toContain('minutes of training');
    // A copy of a run is not another seed: counting it would shrink the standard error.
    const copy = join(root, 'copy-of-h8-s0');
    cpSync(dirs[0]!, copy, { recursive: true });
    const copied = metagrad('runs', 'compare', ...dirs, copy);
    expect(copied.code).toBe(2);
    expect(copied.stderr).toMatch(
      /^metagrad: invalid dirs: ".*copy-of-h8-s0" \(has the same setting and seed 0 as .*h8-s0: a setting's runs must differ in seed\)\n$/,
    );
    expect(metagrad('runs', 'plot', dirs[0]!, dirs[0]!, '--out', join(root, 'twice.svg')).code).toBe(2);
  });

  it('reports a log of binary junk once, escaped, with exit 2 from show, export and watch alike', () => {
    const dir = fakeRun(mkdtempSync(join(tmpdir(), 'runs-junk-')));
    const junk = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 151 + 7) % 256));
    writeFileSync(join(dir, 'metrics.jsonl'), junk);
    for (const args of [
      ['runs', 'show', dir],
      ['runs', 'export', dir],
      ['watch', dir],
    ]) {
      const { code, stdout, stderr } = metagrad(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      const lines = stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^metagrad: invalid run-dir: .*metrics\.jsonl is corrupt \(.*metrics\.jsonl:1: not valid JSON: "/,
      );
      // Printable ASCII only: no terminal control bytes, no stray replacement characters.
      expect(lines[0]!.replace(/…/g, '')).toMatch(/^[\x20-\x7e]*$/);
    }
  });

  it('watch ends, saying so, when no process writes a run that has no end event', () => {
    const dir = fakeRun(mkdtempSync(join(tmpdir(), 'runs-dead-')));
    const { code, stdout, stderr } = metagrad('watch', dir);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(3);
    expect(stderr).toContain('no process is writing');
    expect(stderr).toContain('its last line was cut short: "{\\"type\\":\\"progr"');
  });

  it.each([
    [['runs', 'show', '/nonexistent'], /invalid run-dir: "\/nonexistent" \(no config.json/],
    [['runs', 'export', '/tmp', '--format', 'xml'], /invalid format: "xml"/],
    [['runs', 'plot', '/tmp', '--x', 'wall', '--out', '/tmp/never.svg'], /invalid x: "wall"/],
  ])('bad input %j exits 2 with one clear line', (args, message) => {
    const { code, stderr } = metagrad(...args);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toMatch(message);
  });
});
