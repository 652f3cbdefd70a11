import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { chiSquareTest } from '../stats/chi-square.js';
import { gumbelMax, gumbelTopK, sampleGumbel } from './gumbel.js';
import { gumbelSoftmax } from './gumbel-softmax.js';

const ALPHA = 1e-3;
const DRAWS = 20_000;

const LOGITS_CASES: number[][] = [
  [0, 0, 0, 0],
  [1.5, -0.5, 0.2, -2, 0.7],
  [3, 0, -3],
];

function softmax(logits: number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

function countIndices(indices: tf.Tensor, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (const i of indices.dataSync()) counts[i]! += 1;
  return counts;
}

describe('Gumbel-max and Gumbel-softmax sampling', () => {
  it.each(LOGITS_CASES)('gumbelMax follows softmax(logits) (chi-square, α = 1e-3): %j', (...logits) => {
    const indices = tf.tidy(() => gumbelMax(tf.tile(tf.tensor2d([logits]), [DRAWS, 1]), new Rng('max')));
    const { pValue } = chiSquareTest(countIndices(indices, logits.length), softmax(logits));
    indices.dispose();
    expect(pValue).toBeGreaterThan(ALPHA);
  });

  for (const temperature of [0.1, 1, 10]) {
    it.each(LOGITS_CASES)(
      `argmax of gumbelSoftmax at τ = ${temperature} follows softmax(logits): %j`,
      (...logits) => {
        const indices = tf.tidy(() => {
          const y = gumbelSoftmax(tf.tile(tf.tensor2d([logits]), [DRAWS, 1]), {
            temperature,
            seed: new Rng(`soft-${temperature}`),
          });
          return tf.argMax(y, -1);
        });
        const { pValue } = chiSquareTest(countIndices(indices, logits.length), softmax(logits));
        indices.dispose();
        expect(pValue).toBeGreaterThan(ALPHA);
      },
    );
  }

  it('the chi-square check has power: it rejects samples from the wrong distribution', () => {
    const logits = [1.5, -0.5, 0.2, -2, 0.7];
    const shifted = logits.map((l, i) => (i === 0 ? l + 0.15 : l));
    const indices = tf.tidy(() => gumbelMax(tf.tile(tf.tensor2d([shifted]), [DRAWS, 1]), new Rng('power')));
    const { pValue } = chiSquareTest(countIndices(indices, logits.length), softmax(logits));
    indices.dispose();
    expect(pValue).toBeLessThan(ALPHA);
  });

  it('gumbelTopK draws ordered subsets with the Plackett-Luce probabilities (chi-square, α = 1e-3)', () => {
    const logits = [1, 0.2, -0.6, 0.5];
    const p = softmax(logits);
    const n = logits.length;
    const k = 2;
    // Exact enumeration: P(i then j) = p_i · p_j / (1 − p_i).
    const exact: number[] = [];
    const inclusion = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const prob = i === j ? 0 : (p[i]! * p[j]!) / (1 - p[i]!);
        exact.push(prob);
        if (i !== j) {
          inclusion[i]! += prob;
          inclusion[j]! += prob;
        }
      }
    }
    const top = tf.tidy(() => gumbelTopK(tf.tile(tf.tensor2d([logits]), [DRAWS, 1]), k, new Rng('topk')));
    const data = top.dataSync();
    top.dispose();
    const counts = new Array<number>(n * n).fill(0);
    const included = new Array<number>(n).fill(0);
    for (let d = 0; d < DRAWS; d++) {
      const i = data[d * k]!;
      const j = data[d * k + 1]!;
      counts[i * n + j]! += 1;
      included[i]! += 1;
      included[j]! += 1;
    }
    expect(chiSquareTest(counts, exact).pValue).toBeGreaterThan(ALPHA);
    // Inclusion frequencies: each within 4 binomial standard errors (two-sided α ≈ 6e-5 each).
    for (let i = 0; i < n; i++) {
      const se = Math.sqrt((inclusion[i]! * (1 - inclusion[i]!)) / DRAWS);
      expect(Math.abs(included[i]! / DRAWS - inclusion[i]!)).toBeLessThan(4 * se);
    }
  });

  it('gumbelTopK rejects k outside [1, n]', () => {
    expect(() => gumbelTopK(tf.zeros([3]), 4, new Rng(0))).toThrow(/k must be an integer in \[1, 3\], got 4/);
  });

  it('draws 10^6 Gumbel variates with no NaN or Inf', () => {
    const bad = tf.tidy(() => {
      const g = sampleGumbel([1000, 1000], new Rng('safety'));
      return tf.sum(tf.cast(tf.logicalNot(tf.isFinite(g)), 'int32'));
    });
    expect(bad.dataSync()[0]).toBe(0);
    bad.dispose();
  });

  it('has the standard Gumbel mean (Euler-Mascheroni constant) and variance π²/6', () => {
    const [mean, variance] = tf.tidy(() => {
      const g = sampleGumbel([200_000], new Rng('moments'));
      const m = tf.moments(g);
      return [m.mean, m.variance];
    });
    // Standard errors: sd/√n ≈ 0.0029 for the mean; the variance's is √((κ−1)σ⁴/n) ≈ 0.0077 (kurtosis κ = 5.4).
    expect(Math.abs(mean!.dataSync()[0]! - 0.5772156649)).toBeLessThan(5 * 0.0029);
    expect(Math.abs(variance!.dataSync()[0]! - Math.PI ** 2 / 6)).toBeLessThan(5 * 0.0077);
    tf.dispose([mean!, variance!]);
  });
});
