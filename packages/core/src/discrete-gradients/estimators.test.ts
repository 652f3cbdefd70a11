import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import type { Estimator } from './estimator.js';
import { GumbelSoftmaxEstimator } from './relaxed.js';
import { ScoreFunctionEstimator } from './score-function.js';

// A small categorical problem with an enumerable gradient:
// J(θ) = Σₖ pₖ(θ)·cₖ, so ∂J/∂θⱼ = pⱼ·(cⱼ − J).
const theta = [0.5, -0.3, 1.0, 0.0];
const costs = [1.0, -0.5, 0.3, 2.0];
const probs = (() => {
  const e = theta.map(Math.exp);
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
})();
const objectiveValue = probs.reduce((a, p, k) => a + p * costs[k]!, 0);
const exactGradient = probs.map((p, j) => p * (costs[j]! - objectiveValue));

const costTensor = tf.tensor1d(costs);
const linearCost = (z: tf.Tensor) => tf.sum(tf.mul(z, costTensor), -1);

/** Mean and standard error, per coordinate, of `batches` independent gradient estimates. */
function estimateGradient(estimator: Estimator, batches: number, batchSize: number, seed: string) {
  const rng = new Rng(seed);
  const ones = tf.ones([batchSize, 1]);
  const estimates: number[][] = [];
  for (let m = 0; m < batches; m++) {
    // Broadcasting (not tf.tile) keeps the backward pass one reduction.
    const g = tf.grad((l) => estimator.surrogate(tf.mul(ones, l), linearCost, rng))(tf.tensor1d(theta));
    estimates.push(Array.from(g.dataSync()));
    g.dispose();
  }
  ones.dispose();
  const mean = theta.map((_, j) => estimates.reduce((a, g) => a + g[j]!, 0) / batches);
  const stderr = theta.map((_, j) =>
    Math.sqrt(estimates.reduce((a, g) => a + (g[j]! - mean[j]!) ** 2, 0) / (batches - 1) / batches),
  );
  return { mean, stderr };
}

describe('gradient estimators on an enumerable categorical problem', () => {
  it('REINFORCE with a moving-average baseline is unbiased: every coordinate within 5 standard errors', () => {
    const { mean, stderr } = estimateGradient(
      new ScoreFunctionEstimator({ baselineDecay: 0.9 }),
      200,
      100,
      'rf',
    );
    mean.forEach((m, j) => {
      expect(stderr[j]).toBeGreaterThan(0);
      expect(Math.abs(m - exactGradient[j]!)).toBeLessThan(5 * stderr[j]!);
    });
  });

  it('REINFORCE surrogate value estimates the objective', () => {
    const est = new ScoreFunctionEstimator();
    const value = est.surrogate(tf.mul(tf.ones([20_000, 1]), tf.tensor1d(theta)), linearCost, new Rng('v'));
    const sd = Math.sqrt(probs.reduce((a, p, k) => a + p * (costs[k]! - objectiveValue) ** 2, 0));
    expect(Math.abs(value.dataSync()[0]! - objectiveValue)).toBeLessThan(5 * (sd / Math.sqrt(20_000)));
  });

  it('the relaxed (Gumbel-softmax) estimator is biased, and its bias shrinks as the temperature falls', () => {
    const temperatures = [2, 1, 0.5, 0.25];
    const results = temperatures.map((temperature) => {
      const { mean, stderr } = estimateGradient(
        new GumbelSoftmaxEstimator({ temperature }),
        20,
        5000,
        `gs-${temperature}`,
      );
      return {
        bias: Math.hypot(...mean.map((m, j) => m - exactGradient[j]!)),
        // Standard error of the bias norm, bounded by the norm of the per-coordinate errors.
        stderr: Math.hypot(...stderr),
      };
    });
    // Biased at high temperature: far beyond sampling noise.
    expect(results[0]!.bias).toBeGreaterThan(10 * results[0]!.stderr);
    for (let i = 1; i < results.length; i++) {
      const prev = results[i - 1]!;
      const next = results[i]!;
      expect(next.bias).toBeLessThan(prev.bias - 3 * (prev.stderr + next.stderr));
    }
  });
});
