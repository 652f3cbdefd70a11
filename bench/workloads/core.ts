import { gumbelSoftmax, type KernelChoice, Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { Workload } from '../workload.js';

interface GumbelState {
  logits: tf.Tensor2D;
  upstream: tf.Tensor2D;
  rng: Rng;
}

const ROWS = 4096;
const COLS = 64;

/**
 * Gumbel-softmax (τ = 0.5) forward + backward on [4096 × 64]: noise, softmax, and the gradient to
 * the logits for a given upstream gradient (PyTorch's `y.backward(upstream)`); soft or
 * straight-through (`hard`) samples, on `kernels` (the default name runs `auto`). A run ends with a
 * read of one element, which waits for the work on any backend without copying the gradient out.
 */
function gumbelSoftmaxWorkload(hard: boolean, kernels: KernelChoice, suffix = ''): Workload<GumbelState> {
  return {
    name: `core/gumbel-softmax${hard ? '-hard' : ''}-fwd-bwd-4096x64${suffix}`,
    description: `gumbelSoftmax(τ = 0.5${hard ? ', hard' : ''}) forward + backward on [4096 × 64], ${kernels} kernels`,
    setup: () => ({
      logits: tf.randomNormal([ROWS, COLS], 0, 1, 'float32', 1) as tf.Tensor2D,
      upstream: tf.randomNormal([ROWS, COLS], 0, 1, 'float32', 2) as tf.Tensor2D,
      rng: new Rng('bench'),
    }),
    run: async ({ logits, upstream, rng }) => {
      const first = tf.tidy(() => {
        const sample = (l: tf.Tensor) => gumbelSoftmax(l, { temperature: 0.5, hard, seed: rng, kernels });
        // One element (a gather: a slice would copy the whole tensor out on wasm).
        return tf.gather(tf.reshape(tf.grad(sample)(logits, upstream), [-1]), [0]);
      });
      await first.data();
      first.dispose();
    },
    teardown: ({ logits, upstream }) => tf.dispose([logits, upstream]),
    metrics: (medianMs) => ({ samplesPerSecond: (ROWS / medianMs) * 1000 }),
  };
}

export const coreWorkloads: Workload[] = [
  gumbelSoftmaxWorkload(false, 'auto') as Workload,
  gumbelSoftmaxWorkload(false, 'composite', '-composite') as Workload,
  gumbelSoftmaxWorkload(true, 'auto') as Workload,
  gumbelSoftmaxWorkload(true, 'composite', '-composite') as Workload,
];
