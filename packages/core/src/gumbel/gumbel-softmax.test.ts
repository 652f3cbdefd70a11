import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { maxRelativeError, numericGradient } from '../testing/gradient-check.js';
import { ConfigError } from '../validation/config-error.js';
import { gumbelSoftmax } from './gumbel-softmax.js';

const weights = tf.tensor2d([
  [0.3, -1.2, 2.0, 0.5],
  [1.0, 0.1, -0.4, -2.2],
  [0.0, 0.9, 0.3, -0.7],
]);

describe('gumbelSoftmax', () => {
  it('returns points on the simplex', () => {
    const sums = tf.tidy(() =>
      tf.sum(gumbelSoftmax(tf.randomNormal([64, 7], 0, 1, 'float32', 1), { seed: 1 }), -1),
    );
    for (const s of sums.dataSync()) expect(s).toBeCloseTo(1, 5);
    sums.dispose();
  });

  for (const temperature of [0.5, 1, 3]) {
    it(`soft path matches finite differences at τ = ${temperature}`, () => {
      const logits = tf.tensor2d([
        [0.2, -0.4, 1.1, 0.0],
        [-1.0, 0.5, 0.3, 0.8],
        [0.0, 0.0, 0.0, 0.0],
      ]);
      // Same seed on every call: the noise is fixed, so f is a deterministic function of the logits.
      const f = (l: tf.Tensor) =>
        tf.sum(tf.mul(gumbelSoftmax(l, { temperature, seed: new Rng('fd') }), weights)) as tf.Scalar;
      const analytic = tf.grad(f)(logits);
      const numeric = numericGradient(f, logits, 1e-2);
      expect(maxRelativeError(analytic.dataSync(), numeric)).toBeLessThan(5e-3);
      tf.dispose([logits, analytic]);
    });
  }

  it('is differentiable in a learnable temperature (finite differences)', () => {
    const logits = tf.tensor2d([[0.2, -0.4, 1.1, 0.0]]);
    const row = weights.slice([0, 0], [1, 4]);
    const f = (tau: tf.Tensor) =>
      tf.sum(
        tf.mul(gumbelSoftmax(logits, { temperature: tau as tf.Scalar, seed: new Rng('tau') }), row),
      ) as tf.Scalar;
    const tau = tf.scalar(0.8);
    const analytic = tf.grad(f)(tau).dataSync();
    const numeric = numericGradient(f, tau, 1e-2);
    expect(maxRelativeError(analytic, numeric)).toBeLessThan(5e-3);
  });

  it('hard mode gives exact one-hots at the argmax of the soft sample, with the soft gradient', () => {
    const logits = tf.randomNormal([50, 6], 0, 1, 'float32', 3);
    const w = tf.randomNormal([50, 6], 0, 1, 'float32', 4);
    const hard = gumbelSoftmax(logits, { temperature: 0.7, hard: true, seed: new Rng('st') });
    const soft = gumbelSoftmax(logits, { temperature: 0.7, seed: new Rng('st') });
    const hardValues = hard.arraySync() as number[][];
    const softArgmax = tf.argMax(soft, -1).arraySync() as number[];
    hardValues.forEach((row, i) => {
      expect(row.filter((v) => v === 1)).toHaveLength(1);
      expect(row.filter((v) => v === 0)).toHaveLength(5);
      expect(row.indexOf(1)).toBe(softArgmax[i]);
    });
    const gHard = tf.grad((l) =>
      tf.sum(tf.mul(gumbelSoftmax(l, { temperature: 0.7, hard: true, seed: new Rng('st') }), w)),
    )(logits);
    const gSoft = tf.grad((l) =>
      tf.sum(tf.mul(gumbelSoftmax(l, { temperature: 0.7, seed: new Rng('st') }), w)),
    )(logits);
    expect(Array.from(gHard.dataSync())).toEqual(Array.from(gSoft.dataSync()));
    tf.dispose([logits, w, hard, soft, gHard, gSoft]);
  });

  it('supports a category axis other than the last', () => {
    const logits = tf.randomNormal([4, 3], 0, 1, 'float32', 5);
    const alongRows = gumbelSoftmax(logits, { axis: 0, seed: 9 });
    const viaTranspose = gumbelSoftmax(logits.transpose(), { seed: 9 }).transpose();
    expect(Array.from(alongRows.dataSync())).toEqual(Array.from(viaTranspose.dataSync()));
    for (const s of tf.sum(alongRows, 0).dataSync()) expect(s).toBeCloseTo(1, 5);
  });

  it.each([
    [{ temperature: 0 }, /invalid gumbelSoftmax\.temperature: 0/],
    [{ temperature: -1 }, /invalid gumbelSoftmax\.temperature: -1/],
    [{ temperature: Number.NaN }, /invalid gumbelSoftmax\.temperature: NaN/],
    [{ axis: 1.5 }, /invalid gumbelSoftmax\.axis: 1\.5/],
    [{ axis: 3 }, /invalid axis: 3 \(out of range for logits of rank 2\)/],
  ])('rejects bad options with an error naming the field and value: %j', (options, message) => {
    const logits = tf.zeros([2, 3]);
    expect(() => gumbelSoftmax(logits, options)).toThrow(ConfigError);
    expect(() => gumbelSoftmax(logits, options)).toThrow(message);
  });

  it('rejects scalar logits', () => {
    expect(() => gumbelSoftmax(tf.scalar(1))).toThrow(
      /invalid logits: tensor of shape \[\] \(expected rank >= 1/,
    );
  });
});
