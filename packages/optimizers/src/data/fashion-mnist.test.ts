import { existsSync } from 'node:fs';
import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MlpFamily } from '../tasks/mlp.js';
import { loadIdxDataset } from './idx.js';

/** Where Debian's dataset-fashion-mnist puts the IDX files (CI installs it when it runs as root). */
const FASHION_MNIST = '/usr/share/datasets/fashion-mnist';
const missing = existsSync(FASHION_MNIST)
  ? undefined
  : `${FASHION_MNIST} is absent (apt-get install dataset-fashion-mnist)`;
// Said on stderr as well as in the skipped tests' names, so a CI log shows it.
if (missing) console.warn(`Fashion-MNIST tests skipped: ${missing}`);

describe.skipIf(missing !== undefined)(`Fashion-MNIST${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('loads the real files: 60,000 + 10,000 images of 28 × 28, ten balanced classes', () => {
    for (const [split, n] of [
      ['train', 60_000],
      ['test', 10_000],
    ] as const) {
      const data = loadIdxDataset(FASHION_MNIST, split);
      expect(data).toMatchObject({ numExamples: n, numFeatures: 784, numClasses: 10 });
      const counts = new Array<number>(10).fill(0);
      for (const label of data.labels) counts[label]!++;
      expect(counts).toEqual(new Array(10).fill(n / 10));
      let max = 0;
      for (const v of data.features) max = Math.max(max, v);
      expect(max).toBe(1);
    }
  });

  it("the paper's MNIST network on it: 1 × 20 sigmoid, 15,910 parameters, a loss near ln 10 at initialisation", () => {
    const family = new MlpFamily(loadIdxDataset(FASHION_MNIST, 'train'), { hidden: [20] });
    expect(family.numParams).toBe(784 * 20 + 20 + 20 * 10 + 10);
    const task = family.sample(new Rng('fashion'), 4);
    const params = task.initialParams();
    const loss = task.loss(params, 0);
    const mean = loss.mean().dataSync()[0]!;
    expect(Math.abs(mean - Math.log(10))).toBeLessThan(0.5);
    tf.dispose([params, loss]);
    task.dispose();
    family.dispose();
  });
});
