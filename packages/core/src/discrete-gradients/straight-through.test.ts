import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import {
  bernoulliStraightThrough,
  roundStraightThrough,
  signStraightThrough,
  slopeAnnealedStraightThrough,
  stopGradient,
  thresholdStraightThrough,
} from './straight-through.js';

const x = tf.tensor1d([-1.7, -0.2, 0.0, 0.4, 0.5, 2.6]);
const upstream = tf.tensor1d([0.3, -1.0, 2.0, 0.5, -0.25, 1.5]);

function gradThrough(op: (t: tf.Tensor) => tf.Tensor): number[] {
  return Array.from(
    tf
      .grad((t) => tf.sum(tf.mul(op(t), upstream)))(x)
      .dataSync(),
  );
}

describe('straight-through estimators', () => {
  it('stopGradient is the identity forward and blocks the gradient', () => {
    expect(Array.from(stopGradient(x).dataSync())).toEqual(Array.from(x.dataSync()));
    const g = tf.grad((t) => tf.sum(tf.add(tf.mul(stopGradient(t), t), t)))(x);
    // d/dt [sg(t)·t + t] = sg(t) + 1
    expect(Array.from(g.dataSync())).toEqual(Array.from(x.dataSync()).map((v) => expect.closeTo(v + 1, 6)));
  });

  it.each([
    ['round', roundStraightThrough, [-2, -0, 0, 0, 0, 3]],
    ['sign', signStraightThrough, [-1, -1, 0, 1, 1, 1]],
    ['threshold', (t: tf.Tensor) => thresholdStraightThrough(t, 0.45), [0, 0, 0, 0, 1, 1]],
  ] as const)('%s: exact forward value, identity gradient', (_, op, expected) => {
    expect(Array.from(op(x).dataSync())).toEqual(expected.map((v) => expect.closeTo(v, 6)));
    expect(gradThrough(op)).toEqual(Array.from(upstream.dataSync()));
  });

  it('Bernoulli straight-through samples 0/1 with the right mean and passes the gradient as identity', () => {
    const n = 20_000;
    const p = tf.fill([n], 0.3);
    const b = bernoulliStraightThrough(p, new Rng('bst'));
    const mean = tf.mean(b).dataSync()[0]!;
    expect(Math.abs(mean - 0.3)).toBeLessThan(4 * Math.sqrt((0.3 * 0.7) / n));
    expect(new Set(b.dataSync())).toEqual(new Set([0, 1]));
    const probs = tf.tensor1d([0.1, 0.5, 0.9, 0.2, 0.7, 0.4]);
    const g = tf.grad((q) => tf.sum(tf.mul(bernoulliStraightThrough(q, new Rng('g')), upstream)))(probs);
    expect(Array.from(g.dataSync())).toEqual(Array.from(upstream.dataSync()));
  });

  it('slope-annealed straight-through: binary forward, gradient of σ(m·x)', () => {
    const slope = 2.5;
    const y = slopeAnnealedStraightThrough(x, { slope });
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0, 1, 1, 1]);
    const g = gradThrough((t) => slopeAnnealedStraightThrough(t, { slope }));
    const up = upstream.dataSync();
    Array.from(x.dataSync()).forEach((xi, i) => {
      const s = 1 / (1 + Math.exp(-slope * xi));
      expect(g[i]).toBeCloseTo(up[i]! * slope * s * (1 - s), 5);
    });
  });
});
