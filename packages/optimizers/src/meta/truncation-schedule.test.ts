import { Rng } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { QuadraticFamily } from '../tasks/quadratic.js';
import type { MetaGradientEstimator, TruncationRequest } from './meta-gradient-estimator.js';
import { MetaTrainer } from './meta-trainer.js';
import { TruncatedBackprop } from './truncated-backprop.js';
import { ConstantTruncation, GrowingTruncation } from './truncation-schedule.js';

describe('truncation schedules', () => {
  it('constant: steps / unroll truncations of unroll in every epoch', () => {
    expect(new ConstantTruncation(100, 20).truncations()).toEqual([20, 20, 20, 20, 20]);
    expect(() => new ConstantTruncation(100, 30)).toThrow(/multiple/);
  });

  it('growing: the same count every epoch, unrolls growing linearly to the full length, then constant', () => {
    const schedule = new GrowingTruncation(100, 20, 4, 8);
    expect(schedule.truncations(0)).toEqual([4, 4, 4, 4, 4]);
    expect(schedule.truncations(4)).toEqual([12, 12, 12, 12, 12]);
    expect(schedule.truncations(8)).toEqual([20, 20, 20, 20, 20]);
    expect(schedule.truncations(50)).toEqual([20, 20, 20, 20, 20]);
    for (let e = 1; e < 12; e++)
      expect(schedule.truncations(e)[0]).toBeGreaterThanOrEqual(schedule.truncations(e - 1)[0]!);
  });

  it('the meta-trainer unrolls what its schedule says, epoch by epoch', async () => {
    const unrolls: number[] = [];
    const inner = new TruncatedBackprop(1);
    const recording: MetaGradientEstimator = {
      name: 'recording',
      estimate: (request: TruncationRequest) => {
        unrolls.push(request.unroll);
        return inner.estimate(request);
      },
      dispose: () => inner.dispose(),
    };
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('schedule'));
    const trainer = new MetaTrainer({
      config: {
        epochs: 3,
        steps: 20,
        unroll: 10,
        truncation: 'growing',
        startUnroll: 2,
        growEpochs: 2,
        instances: 4,
        evalEvery: 10,
        workers: 1,
      },
      family: new QuadraticFamily(),
      optimizer,
      estimator: recording,
    });
    await trainer.train();
    expect(unrolls).toEqual([2, 2, 6, 6, 10, 10]);
    trainer.dispose();
    optimizer.dispose();
  });
});
