import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { chiSquareTest } from '../stats/chi-square.js';
import { Bernoulli } from './bernoulli.js';
import { Categorical } from './categorical.js';

describe('Categorical', () => {
  const logits = [0.5, -0.2, 1.3];
  const z = logits.reduce((a, l) => a + Math.exp(l), 0);
  const p = logits.map((l) => Math.exp(l) / z);

  it('logProb and entropy match hand-computed values', () => {
    const dist = new Categorical(tf.tensor2d([logits, logits]));
    expect(Array.from(dist.logProb(tf.tensor1d([2, 0], 'int32')).dataSync())).toEqual([
      expect.closeTo(Math.log(p[2]!), 5),
      expect.closeTo(Math.log(p[0]!), 5),
    ]);
    const entropy = -p.reduce((a, pi) => a + pi * Math.log(pi), 0);
    expect(dist.entropy().dataSync()[0]).toBeCloseTo(entropy, 5);
  });

  it('logProb gradient is onehot − softmax (works on backends without a gather gradient)', () => {
    const g = tf.grad((l) => tf.sum(new Categorical(l).logProb(tf.tensor1d([1], 'int32'))))(
      tf.tensor2d([logits]),
    );
    const data = g.dataSync();
    p.forEach((pi, i) => {
      expect(data[i]).toBeCloseTo((i === 1 ? 1 : 0) - pi, 5);
    });
  });

  it('samples follow the probabilities (chi-square, α = 1e-3)', () => {
    const samples = new Categorical(tf.tensor1d(logits)).sample(new Rng('cat'), [20_000]);
    const counts = [0, 0, 0];
    for (const s of samples.dataSync()) counts[s]! += 1;
    expect(chiSquareTest(counts, p).pValue).toBeGreaterThan(1e-3);
  });
});

describe('Bernoulli', () => {
  it('logProb and entropy match hand-computed values, stably for large logits', () => {
    const l = [0.4, -3, 40];
    const dist = new Bernoulli(tf.tensor1d(l));
    const lp1 = dist.logProb(tf.ones([3])).dataSync();
    const lp0 = dist.logProb(tf.zeros([3])).dataSync();
    l.forEach((li, i) => {
      const q = 1 / (1 + Math.exp(-li));
      expect(lp1[i]).toBeCloseTo(Math.log(q), 4);
      expect(lp0[i]).toBeCloseTo(i === 2 ? -40 : Math.log(1 - q), 4);
    });
    const q = 1 / (1 + Math.exp(-0.4));
    expect(dist.entropy().dataSync()[0]).toBeCloseTo(-(q * Math.log(q) + (1 - q) * Math.log(1 - q)), 5);
  });

  it('samples have mean σ(l) within 4 standard errors', () => {
    const n = 20_000;
    const draws = new Bernoulli(tf.fill([n], -0.7)).sample(new Rng('bern'));
    const mean = tf.mean(draws).dataSync()[0]!;
    const q = 1 / (1 + Math.exp(0.7));
    expect(Math.abs(mean - q)).toBeLessThan(4 * Math.sqrt((q * (1 - q)) / n));
  });
});
