import { describe, expect, it } from 'vitest';
import { BernoulliBandit } from '../env/bandit.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { BayesOptimalBandit, GittinsBandit } from './bandit-policies.js';
import { bayesOptimalValue } from './bayes-optimal.js';

describe('the Bayes-optimal bandit value', () => {
  it('has the closed forms of the trivial cases', () => {
    expect(bayesOptimalValue(1, 5)).toBeCloseTo(0.5, 12);
    expect(bayesOptimalValue(7, 1)).toBeCloseTo(3.5, 12);
    // Two pulls of two arms: pull one; stay after a success (2/3), switch after a failure (1/2).
    expect(bayesOptimalValue(2, 2)).toBeCloseTo(0.5 * (1 + 2 / 3) + 0.5 * 0.5, 12);
  });

  it('bounds what tuned Gittins earns at n = 10, k = 5 (20,000 trials, 3 standard errors)', async () => {
    const optimum = bayesOptimalValue(10, 5);
    expect(optimum).toBeCloseTo(6.66, 2);
    const gittins = await evaluatePolicy(new GittinsBandit(0.5, 10), new BernoulliBandit(5), {
      episodes: 10,
      trials: 20_000,
      seed: 'ceiling',
    });
    expect(gittins.mean - 3 * gittins.stderr).toBeLessThan(optimum);
    // Gittins at γ = 0.5 is near-greedy, and within 0.1 of the optimum.
    expect(gittins.mean + 3 * gittins.stderr).toBeGreaterThan(optimum - 0.1);
  });

  it('acting on it earns its value, and tuned Gittins earns no more on the same tasks (3 standard errors)', async () => {
    const options = { episodes: 10, trials: 20_000, seed: 'ceiling' };
    const env = new BernoulliBandit(5);
    const optimal = await evaluatePolicy(new BayesOptimalBandit(10), env, options);
    expect(Math.abs(optimal.mean - bayesOptimalValue(10, 5))).toBeLessThan(3 * optimal.stderr);
    const gittins = await evaluatePolicy(new GittinsBandit(0.5, 10), env, options);
    const difference = optimal.totals.map((v, i) => v - gittins.totals[i]!);
    const mean = difference.reduce((a, b) => a + b, 0) / difference.length;
    const stderr = Math.sqrt(
      difference.reduce((a, b) => a + (b - mean) ** 2, 0) / (difference.length - 1) / difference.length,
    );
    expect(mean + 3 * stderr).toBeGreaterThan(0);
  });

  it('refuses horizons too long to plan exactly', () => {
    expect(() => new BayesOptimalBandit(31)).toThrow(/pulls must be an integer in 0…30, got 31/);
  });
});
