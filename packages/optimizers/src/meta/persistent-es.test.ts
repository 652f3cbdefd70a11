import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { QuadraticFamily } from '../tasks/quadratic.js';
import { disposeInnerRun, type InnerRun, metaGradient, startInnerRun } from './meta-gradient.js';
import { PersistentEs } from './persistent-es.js';

const flat = (tensors: tf.Tensor[]) => Float32Array.from(tensors.flatMap((t) => Array.from(t.dataSync())));

describe('PersistentEs', () => {
  it('is unbiased for the whole run from truncated unrolls, where truncated BPTT is biased (5 standard errors, fixed seeds)', async () => {
    // A 6-step inner run cut into 3 truncations of 2 steps. The exact gradient of the whole run's
    // meta-loss: second-order autodiff through all 6 steps at once.
    const family = new QuadraticFamily({ dims: 4 });
    const task = family.sample(new Rng('pes-task'), 8);
    const optimizer = new LstmOptimizer(
      { ...DEFAULT_LSTM_CONFIG, layers: [4], outputInit: 'small' },
      new Rng('pes'),
    );
    optimizer.kernels = 'composite';
    const noise = new Rng('pes-noise');
    const noiseFor = (s: number) => noise.child(s);
    const start = startInnerRun(task, optimizer);
    const exact = metaGradient(optimizer, start, { unroll: 6, secondOrder: true, noiseFor, metaStep: 0 });
    const exactFlat = flat(exact.gradients);
    // Truncated BPTT (second order within each truncation): the sum over the 3 truncations.
    const truncated = new Float32Array(exactFlat.length);
    let run: InnerRun = start;
    for (let k = 0; k < 3; k++) {
      const result = metaGradient(optimizer, run, { unroll: 2, secondOrder: true, noiseFor, metaStep: k });
      flat(result.gradients).forEach((g, i) => {
        truncated[i]! += g;
      });
      tf.dispose([result.metaLoss, ...result.gradients]);
      if (run !== start) disposeInnerRun(run);
      run = result.next;
    }
    disposeInnerRun(run);
    optimizer.kernels = 'fused';
    const estimates: Float32Array[] = [];
    for (let r = 0; r < 24; r++) {
      const pes = new PersistentEs({ particles: 24, sigma: 0.01 }, new Rng(`pes-${r}`));
      const sum = new Float32Array(exactFlat.length);
      let current: InnerRun = start;
      for (let k = 0; k < 3; k++) {
        const result = await pes.estimate({
          optimizer,
          run: current,
          unroll: 2,
          metaStep: k,
          objective: 'loss',
          noise,
          family,
          taskSeed: '',
        });
        flat(result.gradients).forEach((g, i) => {
          sum[i]! += g;
        });
        tf.dispose([result.metaLoss, ...result.gradients]);
        if (current !== start) disposeInnerRun(current);
        current = result.next;
      }
      disposeInnerRun(current);
      await pes.dispose();
      estimates.push(sum);
    }
    const n = estimates.length;
    const mean = exactFlat.map((_, i) => estimates.reduce((a, e) => a + e[i]!, 0) / n);
    const se = mean.map((m, i) =>
      Math.sqrt(estimates.reduce((a, e) => a + (e[i]! - m) ** 2, 0) / (n - 1) / n),
    );
    const z = (reference: Float32Array) =>
      Math.max(...mean.map((m, i) => Math.abs(m - reference[i]!) / Math.max(se[i]!, 1e-9)));
    expect(z(exactFlat)).toBeLessThan(5);
    // Truncated BPTT ignores how φ moves the state the later truncations start from.
    expect(z(truncated)).toBeGreaterThan(5);
    tf.dispose([exact.metaLoss, ...exact.gradients]);
    disposeInnerRun(exact.next);
    disposeInnerRun(start);
    task.dispose();
    optimizer.dispose();
  });
});
