import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadDigits } from '../data/digits.js';
import { MetaTrainer } from '../meta/meta-trainer.js';
import { QuadraticFamily } from '../tasks/quadratic.js';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer } from './lstm-optimizer.js';
import { LearnedTfOptimizer } from './tf-optimizer.js';

/** A learned optimizer meta-trained briefly on quadratics (a few seconds). */
async function trainedOptimizer(): Promise<LstmOptimizer> {
  const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('drop-in'));
  await new MetaTrainer({
    config: { epochs: 30, steps: 40, unroll: 10, instances: 32, evalEvery: 100, seed: 3 },
    family: new QuadraticFamily(),
    optimizer,
  }).train();
  return optimizer;
}

describe('LearnedTfOptimizer (drop-in tf.train.Optimizer)', () => {
  it('lowers a tfjs-layers model loss through model.compile / model.fit, keeping state per variable', async () => {
    const learned = await trainedOptimizer();
    const digits = loadDigits();
    const n = 512;
    const xs = tf.tensor2d(digits.features.slice(0, n * 64), [n, 64]);
    const ys = tf.oneHot(tf.tensor1d(digits.labels.slice(0, n), 'int32'), 10);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [64],
          units: 20,
          activation: 'sigmoid',
          kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
        }),
        tf.layers.dense({
          units: 10,
          activation: 'softmax',
          kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }),
        }),
      ],
    });
    const optimizer = new LearnedTfOptimizer(learned);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const before = (model.evaluate(xs, ys) as tf.Scalar).dataSync()[0]!;
    await model.fit(xs, ys, { epochs: 5, batchSize: 128, shuffle: false, verbose: 0 });
    const after = (model.evaluate(xs, ys) as tf.Scalar).dataSync()[0]!;
    expect(after).toBeLessThan(before - 0.1);
    expect(optimizer.trackedVariables).toBe(4); // two kernels, two biases
    optimizer.dispose();
    learned.dispose();
  });

  it('minimizes a plain function with optimizer.minimize', async () => {
    const learned = await trainedOptimizer();
    const optimizer = new LearnedTfOptimizer(learned);
    const target = tf.tensor1d([3, -2, 0.5, 1]);
    const x = tf.variable(tf.zeros([4]));
    const loss = () => tf.sum(tf.square(tf.sub(x, target))) as tf.Scalar;
    const first = loss().dataSync()[0]!;
    tf.dispose(optimizer.minimize(loss) ?? []);
    const tensorsAfterFirstStep = tf.memory().numTensors;
    for (let i = 1; i < 100; i++) tf.dispose(optimizer.minimize(loss) ?? []);
    expect(tf.memory().numTensors).toBe(tensorsAfterFirstStep); // no tensor leaks per step
    expect(loss().dataSync()[0]!).toBeLessThan(0.1 * first);
    optimizer.dispose();
    learned.dispose();
  });
});
