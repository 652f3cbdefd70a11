import { describe, expect, it } from 'vitest';
import { BernoulliBandit } from '../env/bandit.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { GittinsBandit } from './bandit-policies.js';
import { bayesOptimalValue } from './bayes-optimal.js';
import { GittinsTable } from './gittins.js';
import { indexPolicyValue } from './index-policy-value.js';

const posteriorMean = (s: number, f: number) => (s + 1) / (s + f + 2);

describe('the exact value of an index policy', () => {
  it('has the closed forms of the trivial cases', () => {
    expect(indexPolicyValue(7, 1, posteriorMean)).toBeCloseTo(3.5, 12);
    // Greedy on two pulls of two arms: stays after a success (2/3 > 1/2), switches after a failure.
    expect(indexPolicyValue(2, 2, posteriorMean)).toBeCloseTo(0.5 * (1 + 2 / 3) + 0.5 * 0.5, 12);
    expect(indexPolicyValue(0, 3, posteriorMean)).toBe(0);
  });

  it('never exceeds the Bayes-optimal value (Gittins at every discount, 12 pulls of 4 arms)', () => {
    const optimum = bayesOptimalValue(12, 4);
    for (const discount of [0.5, 0.9, 0.99]) {
      const table = new GittinsTable(discount, 12);
      expect(indexPolicyValue(12, 4, (s, f) => table.index(1 + s, 1 + f))).toBeLessThanOrEqual(
        optimum + 1e-12,
      );
    }
  });

  it('is what the policy earns on sampled trials (Gittins at 0.9, 10 pulls of 5 arms, 20,000 trials, 3 standard errors)', async () => {
    const table = new GittinsTable(0.9, 10);
    const exact = indexPolicyValue(10, 5, (s, f) => table.index(1 + s, 1 + f));
    const run = await evaluatePolicy(new GittinsBandit(0.9, 10), new BernoulliBandit(5), {
      episodes: 10,
      trials: 20_000,
      seed: 'index-policy-value',
    });
    expect(Math.abs(run.mean - exact)).toBeLessThan(3 * run.stderr);
  });

  it('refuses a bad shape naming it', () => {
    expect(() => indexPolicyValue(10, 0, posteriorMean)).toThrow(/arms must be a positive integer, got 0/);
    expect(() => indexPolicyValue(2.5, 3, posteriorMean)).toThrow(/pulls must be a whole number, got 2.5/);
  });
});
