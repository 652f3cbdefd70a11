import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@metagrad/core';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer, saveLearnedOptimizer } from '@metagrad/optimizers';
import { describe, expect, it } from 'vitest';
import { metagrad } from '../testing/run-metagrad.js';

/** Overwrites float `index` of a saved model's weights.bin (all of them with `index` undefined) with `value`. */
function poison(dir: string, value: number, index?: number) {
  const path = join(dir, 'weights.bin');
  const bytes = readFileSync(path);
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  if (index === undefined) floats.fill(value);
  else floats[index] = value;
  writeFileSync(path, bytes);
}

describe('saved weights that are not finite are refused, not scored', () => {
  it('rl2 eval: an all-NaN agent exits 2 naming the weight', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nan-agent-')), 'run');
    const args = 'rl2 train --episodes 2 --hidden 8 --batch 16 --iterations 1 --workers 1 --no-tui';
    expect(metagrad(...args.split(' '), '--run-dir', dir).code).toBe(0);
    poison(join(dir, 'best'), Number.NaN);
    const { code, stdout, stderr } = metagrad(
      'rl2',
      'eval',
      '--episodes',
      '2',
      '--policy',
      dir,
      '--trials',
      '10',
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^metagrad: invalid policy: .*weight \S+ holds NaN at index 0: it is not finite\)\n$/,
    );
  });

  it('l2l eval: one infinite weight in a learned optimizer exits 2 naming it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'nan-optimizer-')), 'optimizer');
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng(0));
    await saveLearnedOptimizer(optimizer, dir);
    optimizer.dispose();
    poison(dir, Number.POSITIVE_INFINITY, 17);
    const { code, stderr } = metagrad('l2l', 'eval', '--optimizer', dir, '--instances', '4');
    expect(code).toBe(2);
    expect(stderr).toMatch(/weight \S+ holds Infinity at index 17: it is not finite/);
  });
});
