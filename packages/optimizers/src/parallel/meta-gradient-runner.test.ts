import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDigits } from '../data/digits.js';
import { DEFAULT_DISCRETE_CONFIG, DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { disposeInnerRun, startInnerRun } from '../meta/meta-gradient.js';
import { MetaTrainer } from '../meta/meta-trainer.js';
import { MlpFamily } from '../tasks/mlp.js';
import { QuadraticFamily } from '../tasks/quadratic.js';
import { MetaGradientRunner } from './meta-gradient-runner.js';

describe('meta-gradients split across worker threads', () => {
  const family = new QuadraticFamily();
  const taskRng = new Rng('shards').child('task');
  const task = family.sample(taskRng, 7);
  const noise = new Rng('shards').child('noise');
  const one = new MetaGradientRunner(1);
  const two = new MetaGradientRunner(2);
  afterAll(async () => {
    await two.dispose();
    task.dispose();
  });

  async function step(runner: MetaGradientRunner, optimizer: LstmOptimizer) {
    const run = startInnerRun(task, optimizer);
    const result = await runner.metaGradient(
      optimizer,
      run,
      { unroll: 5, noiseFor: (s) => noise.child(s), metaStep: 3 },
      { family, taskSeed: taskRng.seed, noiseSeed: noise.seed },
    );
    const read = {
      loss: result.metaLoss.dataSync()[0]!,
      grads: result.gradients.map((g) => Array.from(g.dataSync())),
      params: Array.from(result.next.params.dataSync()),
      state: Object.values(result.next.state).map((t) => Array.from(t.dataSync())),
    };
    tf.dispose([result.metaLoss, ...result.gradients]);
    disposeInnerRun(run);
    disposeInnerRun(result.next);
    return read;
  }

  const close = (a: number[], b: number[]) => {
    const scale = Math.max(1e-6, ...b.map(Math.abs));
    for (const [i, v] of a.entries()) expect(Math.abs(v - b[i]!) / scale).toBeLessThan(1e-5);
  };

  it.each([
    ['continuous', DEFAULT_LSTM_CONFIG],
    ['discrete-choice (the same Gumbel noise per coordinate)', DEFAULT_DISCRETE_CONFIG],
  ] as const)('%s: 2 workers equal 1 up to float rounding and repeat bit for bit', async (_, config) => {
    const optimizer = new LstmOptimizer(config, new Rng('shard-weights'));
    const a = await step(one, optimizer);
    const b = await step(two, optimizer);
    const c = await step(two, optimizer);
    expect(c).toEqual(b);
    expect(Math.abs(b.loss - a.loss)).toBeLessThan(1e-5 * Math.abs(a.loss));
    for (const [i, g] of a.grads.entries()) close(b.grads[i]!, g);
    close(b.params, a.params);
    for (const [i, h] of a.state.entries()) close(b.state[i]!, h);
    optimizer.dispose();
  });

  it('an MLP task subset has exactly the losses of its rows in the whole batch', () => {
    const mlp = new MlpFamily(loadDigits(), { batchSize: 8 });
    const whole = mlp.sample(new Rng('mlp'), 5);
    const part = whole.subset(2, 2);
    const params = whole.initialParams();
    const all = Array.from(whole.loss(params, 3).dataSync());
    const rows = Array.from(part.loss(params.slice(2, 2), 3).dataSync());
    expect(rows).toEqual(all.slice(2, 4));
    tf.dispose(params);
    whole.dispose();
    part.dispose();
    mlp.dispose();
  });

  it('meta-training with 2 workers gives identical results twice', async () => {
    const train = async () => {
      const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('trainer'));
      const trainer = new MetaTrainer({
        config: { epochs: 2, steps: 10, unroll: 5, instances: 6, evalEvery: 2, evalInstances: 4, workers: 2 },
        family,
        optimizer,
      });
      await trainer.train();
      const weights = (await optimizer.weightValues()).map((w) => Array.from(w.values));
      trainer.dispose();
      optimizer.dispose();
      return weights;
    };
    expect(await train()).toEqual(await train());
  });
});
