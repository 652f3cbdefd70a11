import { gumbelSoftmax, Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { Workload } from '../workload.js';

interface GumbelState {
  logits: tf.Tensor2D;
  weights: tf.Tensor2D;
  rng: Rng;
}

const ROWS = 4096;
const COLS = 64;

/** Gumbel-softmax forward + backward on [4096 × 64]: noise, softmax, and the gradient to the logits. */
export const gumbelSoftmaxWorkload: Workload<GumbelState> = {
  name: 'core/gumbel-softmax-fwd-bwd-4096x64',
  description: 'gumbelSoftmax(τ = 0.5) forward + backward on a [4096 × 64] logits tensor',
  setup: () => ({
    logits: tf.randomNormal([ROWS, COLS], 0, 1, 'float32', 1) as tf.Tensor2D,
    weights: tf.randomNormal([ROWS, COLS], 0, 1, 'float32', 2) as tf.Tensor2D,
    rng: new Rng('bench'),
  }),
  run: async ({ logits, weights, rng }) => {
    const g = tf.grad((l: tf.Tensor) =>
      tf.sum(tf.mul(gumbelSoftmax(l, { temperature: 0.5, seed: rng }), weights)),
    )(logits);
    await g.data();
    g.dispose();
  },
  teardown: ({ logits, weights }) => tf.dispose([logits, weights]),
  metrics: (medianMs) => ({ samplesPerSecond: (ROWS / medianMs) * 1000 }),
};

export const coreWorkloads: Workload[] = [gumbelSoftmaxWorkload as Workload];
