// Use a learned optimizer as a drop-in tf.train.Optimizer in an ordinary tfjs-layers model.
//
//   node examples/learned-optimizer-in-layers.mjs
//
// The optimizer is meta-trained briefly on quadratics, saved to a directory (JSON + weights.bin;
// loading it executes no code), loaded again and handed to model.compile, next to Adam.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng, useBackend } from '@metagrad/core';
import {
  DEFAULT_LSTM_CONFIG,
  LearnedTfOptimizer,
  LstmOptimizer,
  loadDigits,
  loadLearnedOptimizer,
  MetaTrainer,
  QuadraticFamily,
  saveLearnedOptimizer,
} from '@metagrad/optimizers';
import * as tf from '@tensorflow/tfjs';

await useBackend('wasm');

const learned = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng(0));
const trainer = new MetaTrainer({
  config: { epochs: 30, steps: 40, unroll: 10, instances: 32, evalEvery: 10, seed: 0, workers: 1 },
  family: new QuadraticFamily(),
  optimizer: learned,
});
await trainer.train();
trainer.dispose();
const dir = join(mkdtempSync(join(tmpdir(), 'metagrad-')), 'optimizer');
await saveLearnedOptimizer(learned, dir);
learned.dispose();

/** A 64-20-10 sigmoid network on the bundled UCI digits, the same initial weights every time. */
function digitsModel() {
  return tf.sequential({
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
}

const digits = loadDigits();
const xs = tf.tensor2d(digits.features, [digits.numExamples, digits.numFeatures]);
const ys = tf.oneHot(tf.tensor1d(digits.labels, 'int32'), digits.numClasses);
for (const [name, optimizer] of [
  ['learned', new LearnedTfOptimizer(loadLearnedOptimizer(dir))],
  ['adam (lr 0.01)', tf.train.adam(0.01)],
]) {
  const model = digitsModel();
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const history = await model.fit(xs, ys, { epochs: 5, batchSize: 128, shuffle: false, verbose: 0 });
  const losses = history.history.loss.map((l) => Number(l).toFixed(3)).join(' → ');
  console.log(`${name.padEnd(16)} training loss by epoch: ${losses}`);
  model.dispose();
  optimizer.dispose();
}
xs.dispose();
ys.dispose();
