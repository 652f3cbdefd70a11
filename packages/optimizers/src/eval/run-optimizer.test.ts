import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Sgd } from '../hand-designed/sgd.js';
import { lossAndGradient } from '../tasks/loss-and-gradient.js';
import { QuadraticFamily } from '../tasks/quadratic.js';
import { runOptimizer } from './run-optimizer.js';

describe('runOptimizer', () => {
  it('records log10 |update| of the first coordinates at every step: for SGD, log10(lr·|gradient|)', async () => {
    const task = new QuadraticFamily().sample(new Rng('updates'), 4); // 4 instances × 10 parameters
    const lr = 0.01;
    const run = await runOptimizer(new Sgd({ learningRate: lr }), task, { steps: 3, recordUpdates: 15 });
    expect(run.log10UpdateSizes).toHaveLength(3 * 15);
    const params = task.initialParams();
    const { loss, gradient } = lossAndGradient(task, params, 0);
    const first = Array.from(gradient.dataSync().slice(0, 15), (g) => Math.log10(lr * Math.abs(g)));
    const recorded = Array.from(run.log10UpdateSizes!.slice(0, 15));
    for (let i = 0; i < 15; i++) expect(recorded[i]).toBeCloseTo(first[i]!, 4);
    tf.dispose([params, loss, gradient]);
    expect(
      (await runOptimizer(new Sgd({ learningRate: lr }), task, { steps: 2 })).log10UpdateSizes,
    ).toBeUndefined();
    task.dispose();
  });
});
