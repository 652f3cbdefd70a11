import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DISCRETE_CONFIG, DEFAULT_LSTM_CONFIG, LstmOptimizer } from './lstm-optimizer.js';
import { loadLearnedOptimizer, SavedOptimizerError, saveLearnedOptimizer } from './saved-optimizer.js';

describe('saving and loading a learned optimizer', () => {
  it.each([DEFAULT_LSTM_CONFIG, DEFAULT_DISCRETE_CONFIG])(
    'round-trips config and weights exactly (%#)',
    async (config) => {
      const dir = mkdtempSync(join(tmpdir(), 'saved-'));
      const original = new LstmOptimizer(config, new Rng('save'));
      await saveLearnedOptimizer(original, dir, { task: 'quadratic' });
      const loaded = loadLearnedOptimizer(dir);
      expect(loaded.config()).toEqual(original.config());
      const originalWeights = await original.weightValues();
      (await loaded.weightValues()).forEach((w, i) => {
        expect(Array.from(w.values)).toEqual(Array.from(originalWeights[i]!.values));
      });
      // Same updates for the same gradient.
      const g = tf.randomNormal([3, 4], 0, 1, 'float32', 1);
      const a = original.step(g, original.init(g), 0).update.dataSync();
      const b = loaded.step(g, loaded.init(g), 0).update.dataSync();
      expect(Array.from(b)).toEqual(Array.from(a));
      original.dispose();
      loaded.dispose();
    },
  );

  it('rejects damaged directories with an error naming the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'damaged-'));
    expect(() => loadLearnedOptimizer(dir)).toThrow(/missing optimizer\.json/);
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng(0));
    await saveLearnedOptimizer(optimizer, dir);
    const manifest = JSON.parse(readFileSync(join(dir, 'optimizer.json'), 'utf8'));
    manifest.config.layers = [20, 'x'];
    writeFileSync(join(dir, 'optimizer.json'), JSON.stringify(manifest));
    expect(() => loadLearnedOptimizer(dir)).toThrow(SavedOptimizerError);
    expect(() => loadLearnedOptimizer(dir)).toThrow(/config\.layers\.1/);
    await saveLearnedOptimizer(optimizer, dir);
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(12));
    expect(() => loadLearnedOptimizer(dir)).toThrow(/does not fit weights\.bin/);
    optimizer.dispose();
  });
});
