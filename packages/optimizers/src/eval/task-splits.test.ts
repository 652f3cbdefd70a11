import { MemorySink, Rng, type TrainEvent } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { MetaTrainer } from '../meta/meta-trainer.js';
import { QuadraticFamily } from '../tasks/quadratic.js';
import { runOptimizer } from './run-optimizer.js';
import { taskSplits } from './task-splits.js';

describe('task splits', () => {
  it('training, validation, tuning and test tasks are disjoint sets', () => {
    const family = new QuadraticFamily();
    const splits = taskSplits(0);
    const streams = {
      ...Object.fromEntries(Array.from({ length: 10 }, (_, e) => [`training ${e}`, splits.training(e)])),
      validation: splits.validation,
      tuning: splits.tuning,
      test: splits.test,
    };
    const owner = new Map<string, string>();
    for (const [split, rng] of Object.entries(streams)) {
      const task = family.sample(rng, 64);
      const starts = task.initialParams();
      const values = starts.dataSync();
      for (let i = 0; i < 64; i++) {
        const key = Array.from(values.subarray(i * task.numParams, (i + 1) * task.numParams)).join(',');
        expect(owner.get(key), `an instance of ${split} is also in ${owner.get(key)}`).toBeUndefined();
        owner.set(key, split);
      }
      starts.dispose();
      task.dispose();
    }
    expect(owner.size).toBe(13 * 64);
  });

  it('meta-training selects its best weights on the validation split, and only there', async () => {
    const family = new QuadraticFamily();
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('splits'));
    const events = new MemorySink<TrainEvent>();
    const config = { epochs: 1, steps: 20, unroll: 10, instances: 8, evalInstances: 16, seed: 5, workers: 1 };
    await new MetaTrainer({ config, family, optimizer, events }).train();
    const evaluation = events.events.find((e) => e.type === 'evaluation');
    const validation = family.sample(taskSplits(5).validation, 16);
    const test = family.sample(taskSplits(5).test, 16);
    const on = async (task: typeof validation) =>
      (await runOptimizer(optimizer, task, { steps: 20 })).log10FinalLoss;
    expect(evaluation?.type === 'evaluation' && evaluation.value).toBe(await on(validation));
    expect(await on(test)).not.toBe(await on(validation));
    validation.dispose();
    test.dispose();
    optimizer.dispose();
  });
});
