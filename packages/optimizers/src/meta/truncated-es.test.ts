import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { QuadraticFamily } from '../tasks/quadratic.js';
import { disposeInnerRun, metaGradient, startInnerRun } from './meta-gradient.js';
import { TruncatedEs } from './truncated-es.js';

/** Mean and standard error, per coordinate, of repeated estimates. */
function meanAndSe(estimates: Float32Array[]) {
  const n = estimates.length;
  const mean = estimates[0]!.map((_, i) => estimates.reduce((a, e) => a + e[i]!, 0) / n);
  const se = mean.map((m, i) => Math.sqrt(estimates.reduce((a, e) => a + (e[i]! - m) ** 2, 0) / (n - 1) / n));
  return { mean, se };
}

describe('TruncatedEs', () => {
  it('is unbiased for the exact meta-gradient of a whole unroll (every weight within 5 standard errors, fixed seeds)', async () => {
    // Quadratics, a small LSTM optimizer, and a truncation that covers the whole 5-step inner run:
    // second-order autodiff through the unroll is the exact gradient of the meta-loss.
    const family = new QuadraticFamily({ dims: 4 });
    const task = family.sample(new Rng('es-task'), 8);
    const optimizer = new LstmOptimizer(
      { ...DEFAULT_LSTM_CONFIG, layers: [4], outputInit: 'small' },
      new Rng('es'),
    );
    optimizer.kernels = 'composite';
    const noise = new Rng('es-noise');
    const run = startInnerRun(task, optimizer);
    const flat = (tensors: tf.Tensor[]) =>
      Float32Array.from(tensors.flatMap((t) => Array.from(t.dataSync())));
    const exact = metaGradient(optimizer, run, {
      unroll: 5,
      secondOrder: true,
      noiseFor: (s) => noise.child(s),
      metaStep: 0,
    });
    const exactFlat = flat(exact.gradients);
    optimizer.kernels = 'fused';
    const es = new TruncatedEs({ particles: 32, sigma: 0.01, antithetic: true }, new Rng('es-perturbations'));
    const estimates: Float32Array[] = [];
    for (let k = 0; k < 32; k++) {
      const result = await es.estimate({
        optimizer,
        run,
        unroll: 5,
        metaStep: k,
        objective: 'loss',
        noise,
        family,
        taskSeed: 'unused',
      });
      estimates.push(flat(result.gradients));
      tf.dispose([result.metaLoss, ...result.gradients]);
      disposeInnerRun(result.next);
    }
    const { mean, se } = meanAndSe(estimates);
    const z = mean.map((m, i) => Math.abs(m - exactFlat[i]!) / Math.max(se[i]!, 1e-9));
    // Unbiased: every one of the optimizer's weights within 5 standard errors of the exact gradient.
    expect(Math.max(...z)).toBeLessThan(5);
    tf.dispose([exact.metaLoss, ...exact.gradients]);
    disposeInnerRun(exact.next);
    disposeInnerRun(run);
    task.dispose();
    optimizer.dispose();
  });
});
