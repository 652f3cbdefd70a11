import { chiSquareTest, Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadDigits } from '../data/digits.js';
import { runOptimizer } from '../eval/run-optimizer.js';
import { taskSplits } from '../eval/task-splits.js';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { MetaTrainer } from '../meta/meta-trainer.js';
import { taskFamilyFromSpec } from './family-spec.js';
import { MlpFamily } from './mlp.js';
import { QuadraticFamily } from './quadratic.js';
import { TaskMixture } from './task-mixture.js';
import { taskFamilyFor, taskSettingsSchema } from './task-registry.js';

describe('TaskMixture', () => {
  it('draws every component equally often (chi-square, α = 10⁻³, 3000 tasks, fixed seed)', () => {
    const mixture = new TaskMixture([2, 3, 5].map((dims) => new QuadraticFamily({ dims })));
    const counts = [0, 0, 0];
    const root = new Rng('mixture-draws');
    for (let i = 0; i < 3000; i++) {
      const task = mixture.sample(root.child(i), 1);
      counts[[2, 3, 5].indexOf(task.numParams)]!++;
      task.dispose();
    }
    expect(chiSquareTest(counts, [1 / 3, 1 / 3, 1 / 3]).pValue).toBeGreaterThan(1e-3);
  });

  it('the MLP settings span architectures × activations × batch sizes, and a spec rebuilds the same tasks', () => {
    const settings = taskSettingsSchema.parse({
      task: 'mlp',
      architectures: '20/40/20,20',
      activations: ['sigmoid', 'relu'],
    });
    const family = taskFamilyFor(settings) as TaskMixture;
    expect(family.components).toHaveLength(6);
    expect(family.components.map((c) => (c as MlpFamily).hidden.join(','))).toEqual([
      '20',
      '20',
      '40',
      '40',
      '20,20',
      '20,20',
    ]);
    const rebuilt = taskFamilyFromSpec(family.spec!());
    for (let i = 0; i < 5; i++) {
      const [a, b] = [family, rebuilt].map((f) => f.sample(new Rng('spec').child(i), 2));
      expect(b!.numParams).toBe(a!.numParams);
      const [pa, pb] = [a!.initialParams(), b!.initialParams()];
      expect(Array.from(pb.dataSync())).toEqual(Array.from(pa.dataSync()));
      tf.dispose([pa, pb]);
      a!.dispose();
      b!.dispose();
    }
    family.dispose();
    rebuilt.dispose();
  });

  it('meta-training validates on every component: the score is the mean over them', async () => {
    const digits = loadDigits();
    const components = [[10], [20]].map((hidden) => new MlpFamily(digits, { hidden }));
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('mixture-trainer'));
    const trainer = new MetaTrainer({
      config: { epochs: 1, steps: 10, unroll: 5, instances: 2, evalInstances: 2, evalEvery: 1, workers: 1 },
      family: new TaskMixture(components),
      optimizer,
    });
    const summary = await trainer.train();
    const validation = taskSplits(0).validation;
    let sum = 0;
    for (const [i, component] of components.entries()) {
      const task = component.sample(validation.child(i), 2);
      sum += (await runOptimizer(optimizer, task, { steps: 10 })).log10FinalLoss;
      task.dispose();
    }
    const expected = sum / 2;
    // One epoch, one evaluation: the best is that evaluation, made with the final weights.
    expect(summary.best?.value).toBeCloseTo(expected, 5);
    trainer.dispose();
    optimizer.dispose();
  });
});
