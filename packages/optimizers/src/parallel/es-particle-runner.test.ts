import { Rng, readTensors } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { disposeInnerRun, startInnerRun } from '../meta/meta-gradient.js';
import { TruncatedEs } from '../meta/truncated-es.js';
import { QuadraticFamily } from '../tasks/quadratic.js';

describe('evolution-strategies particles on gradient workers', () => {
  it.each([
    [true, 3],
    [false, 2],
  ])(
    'antithetic %s, %i particles: 2 workers give the estimate of 1 bit for bit (each particle is the same unroll)',
    async (antithetic, particles) => {
      const family = new QuadraticFamily();
      const taskRng = new Rng('es-workers').child('task');
      const task = family.sample(taskRng, 6);
      const optimizer = new LstmOptimizer(
        { ...DEFAULT_LSTM_CONFIG, outputInit: 'small' },
        new Rng('es-weights'),
      );
      const estimate = async (workers: number) => {
        const es = new TruncatedEs({ particles, sigma: 0.01, antithetic }, new Rng('es-draws'), workers);
        const run = startInnerRun(task, optimizer);
        const result = await es.estimate({
          optimizer,
          run,
          unroll: 4,
          metaStep: 2,
          objective: 'loss',
          noise: new Rng('es-noise'),
          family,
          taskSeed: taskRng.seed,
        });
        const values = await readTensors([result.metaLoss, ...result.gradients, result.next.params]);
        tf.dispose([result.metaLoss, ...result.gradients]);
        disposeInnerRun(run);
        disposeInnerRun(result.next);
        await es.dispose();
        return values.map((v) => Array.from(v));
      };
      const one = await estimate(1);
      const two = await estimate(2);
      expect(two).toEqual(one);
      expect(
        one
          .slice(1, -1)
          .flat()
          .some((g) => g !== 0),
      ).toBe(true);
      task.dispose();
      optimizer.dispose();
    },
  );
});
