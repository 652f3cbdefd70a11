import { Rng, readTensors } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { disposeInnerRun, startInnerRun } from '../meta/meta-gradient.js';
import { PersistentEs } from '../meta/persistent-es.js';
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

  it('persistent ES over two truncations: 2 workers give the estimates of 1 bit for bit', async () => {
    const family = new QuadraticFamily();
    const taskRng = new Rng('pes-workers').child('task');
    const task = family.sample(taskRng, 6);
    const optimizer = new LstmOptimizer(
      { ...DEFAULT_LSTM_CONFIG, outputInit: 'small' },
      new Rng('pes-weights'),
    );
    const estimates = async (workers: number) => {
      const pes = new PersistentEs({ particles: 3, sigma: 0.01 }, new Rng('pes-draws'), workers);
      let run = startInnerRun(task, optimizer);
      const values: number[][] = [];
      for (const metaStep of [0, 1]) {
        const result = await pes.estimate({
          optimizer,
          run,
          unroll: 3,
          metaStep,
          objective: 'loss',
          noise: new Rng('pes-noise'),
          family,
          taskSeed: taskRng.seed,
        });
        const read = await readTensors([result.metaLoss, ...result.gradients, result.next.params]);
        values.push(...read.map((v) => Array.from(v)));
        tf.dispose([result.metaLoss, ...result.gradients]);
        disposeInnerRun(run);
        run = result.next;
      }
      disposeInnerRun(run);
      await pes.dispose();
      return values;
    };
    const one = await estimates(1);
    const two = await estimates(2);
    expect(two).toEqual(one);
    task.dispose();
    optimizer.dispose();
  });
});
