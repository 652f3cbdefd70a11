import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { activationStore } from '../kernels/activation-store.js';
import { maxScaledError } from '../kernels/kernel-agreement.js';
import { hasFusedKernels } from '../kernels/kernel-choice.js';
import { Rng } from '../random/rng.js';
import { gumbelSoftmax } from './gumbel-softmax.js';
import { GUMBEL_SOFTMAX } from './gumbel-softmax-kernel.js';

interface Case {
  shape: number[];
  temperature: number;
  hard: boolean;
  learnable: boolean;
  axis?: number;
}

/** The sample, dL/dlogits and (with a learnable τ) dL/dτ for an upstream gradient `w`, on `kernels`. */
function run(c: Case, kernels: 'fused' | 'composite'): Float32Array[] {
  return tf.tidy(() => {
    const logits = tf.randomNormal(c.shape, 0, 2, 'float32', 11);
    const upstream = tf.randomNormal(c.shape, 0, 1, 'float32', 12);
    const tau = tf.scalar(c.temperature);
    const sample = (l: tf.Tensor, t?: tf.Tensor) =>
      gumbelSoftmax(l, {
        temperature: t ? (t as tf.Scalar) : c.temperature,
        hard: c.hard,
        axis: c.axis ?? -1,
        seed: new Rng('agree'),
        kernels,
      });
    const { value, grads } = c.learnable
      ? tf.valueAndGrads(sample)([logits, tau], upstream)
      : tf.valueAndGrads((l: tf.Tensor) => sample(l))([logits], upstream);
    const results = [value, ...grads];
    return results.map((t) => t.dataSync() as Float32Array);
  });
}

describe.runIf(hasFusedKernels(tf.getBackend(), GUMBEL_SOFTMAX))(
  'gumbelSoftmax: fused kernel against the composite reference',
  () => {
    const cases: Case[] = [
      { shape: [1, 1], temperature: 1, hard: false, learnable: false },
      { shape: [3, 5], temperature: 0.5, hard: false, learnable: true },
      { shape: [37, 64], temperature: 0.5, hard: false, learnable: false },
      { shape: [37, 64], temperature: 2, hard: true, learnable: true },
      { shape: [2, 7, 130], temperature: 0.3, hard: true, learnable: false },
      { shape: [6, 9], temperature: 1.5, hard: false, learnable: true, axis: 0 },
    ];
    it.each(cases)(
      'sample and gradients agree within 1e-5 ($shape, τ $temperature, hard $hard, learnable τ $learnable)',
      (c) => {
        const fused = run(c, 'fused');
        const composite = run(c, 'composite');
        expect(fused).toHaveLength(composite.length);
        for (const [i, values] of fused.entries()) {
          expect(maxScaledError(values, composite[i]!), `result ${i}`).toBeLessThan(1e-5);
        }
        // One-hots are exact: the same argmax of the same noise.
        if (c.hard) expect(Array.from(fused[0]!)).toEqual(Array.from(composite[0]!));
      },
    );

    it('keeps the soft sample only while a tape records, and frees it in the backward pass', () => {
      const before = activationStore.bytes;
      const logits = tf.randomNormal([50, 8], 0, 1, 'float32', 3);
      tf.tidy(() => gumbelSoftmax(logits, { seed: 1, kernels: 'fused' }));
      expect(activationStore.bytes).toBe(before);
      const grad = tf.grad((l: tf.Tensor) =>
        tf.sum(gumbelSoftmax(l, { hard: true, seed: 1, kernels: 'fused' })),
      )(logits);
      expect(activationStore.bytes).toBe(before);
      tf.dispose([logits, grad]);
    });
  },
);
