import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadDigits } from '../data/digits.js';
import type { LearnedOptimizer } from '../learned/learned-optimizer.js';
import { DEFAULT_DISCRETE_CONFIG, DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { MlpFamily } from '../tasks/mlp.js';
import { QuadraticFamily } from '../tasks/quadratic.js';
import type { Task } from '../tasks/task.js';
import {
  disposeInnerRun,
  type MetaGradientOptions,
  metaGradient,
  SecondOrderUnsupportedError,
  startInnerRun,
  unrollForward,
} from './meta-gradient.js';

function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0]! / Math.max(1e-12, tf.norm(b).dataSync()[0]!));
}

function gradientsOf(optimizer: LearnedOptimizer, task: Task, options: MetaGradientOptions) {
  const run = startInnerRun(task, optimizer);
  const result = metaGradient(optimizer, run, options);
  const loss = result.metaLoss.dataSync()[0]!;
  disposeInnerRun(run);
  disposeInnerRun(result.next);
  return { loss, gradients: result.gradients };
}

const base = { unroll: 6, noiseFor: (s: number) => new Rng('noise').child(s), metaStep: 0 };

describe('meta-gradients', () => {
  const task = new QuadraticFamily().sample(new Rng('mg'), 4);

  it.each([
    ['continuous LSTM', DEFAULT_LSTM_CONFIG],
    ['discrete-choice LSTM', DEFAULT_DISCRETE_CONFIG],
  ] as const)(
    '%s: the linearized meta-loss has the gradient of the recorded first-order meta-loss',
    (_, config) => {
      const optimizer = new LstmOptimizer({ ...config, outputInit: 'small' }, new Rng('weights'));
      const fast = gradientsOf(optimizer, task, { ...base, strategy: 'linearized' });
      const reference = gradientsOf(optimizer, task, { ...base, strategy: 'direct' });
      expect(fast.loss).toBeCloseTo(reference.loss, 3);
      fast.gradients.forEach((g, i) => {
        expect(relativeError(g, reference.gradients[i]!)).toBeLessThan(1e-4);
      });
      optimizer.dispose();
    },
  );

  it.each([
    ['continuous LSTM', DEFAULT_LSTM_CONFIG],
    ['discrete-choice LSTM', DEFAULT_DISCRETE_CONFIG],
  ] as const)(
    '%s: fused and composite kernels give the same meta-loss and meta-gradient (1e-5)',
    (_, config) => {
      const optimizer = new LstmOptimizer({ ...config, outputInit: 'small' }, new Rng('kernels'));
      const results = (['fused', 'composite'] as const).map((kernels) => {
        optimizer.kernels = kernels;
        return gradientsOf(optimizer, task, base);
      });
      const [fused, composite] = results as [(typeof results)[0], (typeof results)[0]];
      expect(Math.abs(fused.loss - composite.loss)).toBeLessThan(1e-5 * Math.abs(composite.loss));
      fused.gradients.forEach((g, i) => {
        expect(relativeError(g, composite.gradients[i]!)).toBeLessThan(1e-5);
      });
      optimizer.dispose();
    },
  );

  it('log-loss: the linearized gradient is the recorded one, and the value is Σ_t mean_b log f_b(θ_t)', async () => {
    const optimizer = new LstmOptimizer({ ...DEFAULT_LSTM_CONFIG, outputInit: 'small' }, new Rng('log'));
    const options = { ...base, objective: 'log-loss' as const };
    const fast = gradientsOf(optimizer, task, { ...options, strategy: 'linearized' });
    const reference = gradientsOf(optimizer, task, { ...options, strategy: 'direct' });
    fast.gradients.forEach((g, i) => {
      expect(relativeError(g, reference.gradients[i]!)).toBeLessThan(1e-4);
    });
    // The same unroll without a tape, summing the per-instance log losses on the host.
    const run = startInnerRun(task, optimizer);
    let logSum = 0;
    let current = run;
    for (let t = 0; t < base.unroll; t++) {
      const step = await unrollForward(optimizer, current, { ...base, unroll: 1 });
      const losses = Array.from(step.next.loss.dataSync());
      logSum += losses.reduce((sum, l) => sum + Math.log(l), 0) / losses.length;
      if (current !== run) disposeInnerRun(current);
      current = step.next;
    }
    disposeInnerRun(current);
    disposeInnerRun(run);
    expect(fast.loss).toBeCloseTo(logSum, 3);
    optimizer.dispose();
  });

  it('second order on quadratics matches a finite difference of the meta-loss', () => {
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('fd'));
    const { gradients } = gradientsOf(optimizer, task, { ...base, secondOrder: true });
    // Perturb the head bias (one scalar) and difference the meta-loss in float32.
    const bias = optimizer.headBias;
    const original = bias.dataSync()[0]!;
    const lossAt = (value: number) => {
      bias.assign(tf.tensor2d([[value]]));
      return gradientsOf(optimizer, task, { ...base, secondOrder: true }).loss;
    };
    const h = 1e-2;
    const numeric = (lossAt(original + h) - lossAt(original - h)) / (2 * h);
    bias.assign(tf.tensor2d([[original]]));
    const analytic = gradients[gradients.length - 1]!.dataSync()[0]!;
    expect(Math.abs(analytic - numeric)).toBeLessThan(1e-2 * Math.abs(numeric));
    optimizer.dispose();
  });

  it('second order fails with a clear error where tfjs lacks second derivatives (sigmoid MLP)', () => {
    const family = new MlpFamily(loadDigits(), { batchSize: 16 });
    const mlp = family.sample(new Rng('mlp'), 1);
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('so'));
    expect(() => gradientsOf(optimizer, mlp, { ...base, unroll: 1, secondOrder: true })).toThrow(
      SecondOrderUnsupportedError,
    );
    optimizer.dispose();
    family.dispose();
  });

  it('leaves no tensors behind', () => {
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('leak'));
    const before = tf.memory().numTensors;
    const run = startInnerRun(task, optimizer);
    const result = metaGradient(optimizer, run, base);
    tf.dispose([result.metaLoss, ...result.gradients]);
    disposeInnerRun(run);
    disposeInnerRun(result.next);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
  });
});
