import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { metagrad } from '../testing/run-metagrad.js';

/** A run directory as l2l train writes it, killed mid-write (no summary, torn last line). */
function fakeRun(root: string): string {
  const dir = join(root, 'run-a');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ kind: 'l2l-train', config: { task: 'quadratic' }, seed: 0, backend: 'wasm', run: {} }),
  );
  const lines = [
    { type: 'meta-step', time: 1000, epoch: 0, metaStep: 1, metaLoss: 10, gradientNorm: 2 },
    { type: 'evaluation', time: 2000, epoch: 0, log10FinalLoss: -0.4, finalLossMean: 0.4 },
    { type: 'evaluation', time: 3000, epoch: 1, log10FinalLoss: -0.6, finalLossMean: 0.25 },
  ];
  writeFileSync(join(dir, 'metrics.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  appendFileSync(join(dir, 'metrics.jsonl'), '{"type":"meta-st');
  return dir;
}

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
    expect(csv.stdout).toContain('evaluation/log10FinalLoss,1,-0.6,3');
    const tb = metagrad('runs', 'export', dir, '--format', 'tensorboard');
    expect(tb.code).toBe(0);
    const [file] = readdirSync(join(dir, 'tensorboard'));
    expect(file).toMatch(/^events\.out\.tfevents\.\d+\./);
    const bytes = readFileSync(join(dir, 'tensorboard', file!));
    expect(bytes.readBigUInt64LE(0)).toBeGreaterThan(0n); // first record: the file-version event
  });

  it.each([
    [['runs', 'show', '/nonexistent'], /invalid run-dir: "\/nonexistent" \(no config.json/],
    [['runs', 'export', '/tmp', '--format', 'xml'], /invalid format: "xml"/],
  ])('bad input %j exits 2 with one clear line', (args, message) => {
    const { code, stderr } = metagrad(...args);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toMatch(message);
  });
});
