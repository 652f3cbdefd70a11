// Meta-train the coordinatewise LSTM optimizer on a task family of your own, then compare it with
// tuned SGD and Adam on held-out test tasks.
//
//   node examples/custom-task-family.mjs [epochs]      (default 60: about half a minute on wasm)
//
// A Task is a batch of problem instances run as one tensor program: parameters [instances, n], one
// loss per instance [instances]. A TaskFamily samples tasks from a seeded stream (rng.next() in [0, 1)).
import { Rng, useBackend } from '@metagrad/core';
import {
  compareOptimizers,
  DEFAULT_LSTM_CONFIG,
  formatComparisonTable,
  LstmOptimizer,
  MetaTrainer,
  taskSplits,
} from '@metagrad/optimizers';
import * as tf from '@tensorflow/tfjs';

const DIMS = 8;

/** Ill-conditioned bowls f(θ) = Σ_i s_i (θ_i − c_i)², with scales s_i log-uniform in [0.1, 10]. */
class BowlTask {
  name = 'bowls';
  numParams = DIMS;

  constructor(scales, centres, start, instances) {
    this.numInstances = instances;
    this.scales = tf.keep(tf.tensor2d(scales, [instances, DIMS]));
    this.centres = tf.keep(tf.tensor2d(centres, [instances, DIMS]));
    this.start = start;
  }

  initialParams() {
    return tf.tensor2d(this.start, [this.numInstances, DIMS]);
  }

  loss(params) {
    return tf.tidy(() => tf.sum(tf.mul(this.scales, tf.square(tf.sub(params, this.centres))), 1));
  }

  dispose() {
    this.scales.dispose();
    this.centres.dispose();
  }
}

class BowlFamily {
  name = 'bowls';

  sample(rng, instances) {
    const draw = (f) => Array.from({ length: instances * DIMS }, f);
    const scales = draw(() => 10 ** (2 * rng.next() - 1));
    const centres = draw(() => 2 * rng.next() - 1);
    const start = draw(() => 0);
    return new BowlTask(scales, centres, start, instances);
  }

  describe() {
    return { family: 'bowls', dims: DIMS, scales: [0.1, 10] };
  }

  dispose() {}
}

const epochs = Number(process.argv[2] ?? 60);
await useBackend('wasm');
const family = new BowlFamily();
const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng(0));
const trainer = new MetaTrainer({
  config: { epochs, steps: 40, unroll: 20, instances: 64, evalEvery: 10, seed: 0, workers: 1 },
  family,
  optimizer,
});
const summary = await trainer.train();
console.log(`meta-trained ${epochs} epochs; best validation log10 loss ${summary.best?.value.toFixed(3)}`);
if (summary.bestWeights) optimizer.setWeightValues(summary.bestWeights); // chosen on validation tasks

// Baselines tune their rates on the tuning split; every number below is on the test split.
const splits = taskSplits(0);
const report = await compareOptimizers({
  family,
  optimizers: [optimizer],
  baselines: ['sgd', 'adam'],
  evaluation: splits.test,
  tuning: splits.tuning,
  steps: 40,
  instances: 64,
});
console.log(formatComparisonTable(report));
trainer.dispose();
optimizer.dispose();
