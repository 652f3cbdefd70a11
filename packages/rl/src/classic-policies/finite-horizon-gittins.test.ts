import { ConfigError } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { BernoulliBandit } from '../env/bandit.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { FiniteHorizonGittinsBandit } from './bandit-policies.js';
import { bayesOptimalValue } from './bayes-optimal.js';
import { FiniteHorizonGittinsTable, finiteHorizonGittinsIndex } from './finite-horizon-gittins.js';
import { indexPolicyValue } from './index-policy-value.js';
import { baselineCandidates } from './registry.js';

describe('the finite-horizon Gittins index of a Bernoulli arm', () => {
  it('is the posterior mean with one pull left, and 5/9 for a fresh arm with two', () => {
    for (const [a, b] of [
      [1, 1],
      [3, 1],
      [2, 7],
    ] as const)
      expect(finiteHorizonGittinsIndex(a, b, 1)).toBeCloseTo(a / (a + b), 10);
    // 2λ = 1/2 + (1/2)·max(λ, 2/3) + (1/2)·max(λ, 1/3): λ = 5/9, between the two posterior means.
    expect(finiteHorizonGittinsIndex(1, 1, 2)).toBeCloseTo(5 / 9, 10);
  });

  it('grows with the pulls left (more to learn for) and with the successes', () => {
    const byLeft = [1, 2, 5, 20, 80].map((left) => finiteHorizonGittinsIndex(2, 3, left));
    for (let i = 1; i < byLeft.length; i++) expect(byLeft[i]!).toBeGreaterThan(byLeft[i - 1]!);
    expect(finiteHorizonGittinsIndex(4, 2, 30)).toBeGreaterThan(finiteHorizonGittinsIndex(3, 3, 30));
  });

  it('the table computed on a grid agrees with bisection to a twentieth of the grid spacing (0.002)', () => {
    const table = new FiniteHorizonGittinsTable(40);
    for (const [s, f, left] of [
      [0, 0, 40],
      [0, 0, 1],
      [2, 0, 38],
      [3, 5, 10],
      [10, 10, 20],
      [0, 7, 3],
    ] as const)
      expect(Math.abs(table.index(s, f, left) - finiteHorizonGittinsIndex(1 + s, 1 + f, left))).toBeLessThan(
        1e-4,
      );
    expect(() => table.index(20, 20, 1)).toThrow(/outside a trial of 40 pulls/);
  });

  it('its index policy earns the Bayes-optimal value at 10 pulls of 5 arms, and no more at 14 of 3 (exact)', () => {
    const ten = new FiniteHorizonGittinsTable(10);
    expect(indexPolicyValue(10, 5, (s, f, left) => ten.index(s, f, left))).toBeCloseTo(
      bayesOptimalValue(10, 5),
      4,
    );
    const fourteen = new FiniteHorizonGittinsTable(14);
    const value = indexPolicyValue(14, 3, (s, f, left) => fourteen.index(s, f, left));
    expect(value).toBeLessThanOrEqual(bayesOptimalValue(14, 3) + 1e-12);
    expect(value).toBeGreaterThan(bayesOptimalValue(14, 3) - 0.01);
  });

  it('the policy earns its exact value on sampled trials (20,000 trials, 3 standard errors)', async () => {
    const table = new FiniteHorizonGittinsTable(10);
    const exact = indexPolicyValue(10, 5, (s, f, left) => table.index(s, f, left));
    const run = await evaluatePolicy(new FiniteHorizonGittinsBandit(10), new BernoulliBandit(5), {
      episodes: 10,
      trials: 20_000,
      seed: 'finite-horizon-gittins',
    });
    expect(Math.abs(run.mean - exact)).toBeLessThan(3 * run.stderr);
  });

  it('is refused, naming the policy, beyond the pulls it tabulates', () => {
    const call = () => baselineCandidates(new BernoulliBandit(5), 'finite-horizon-gittins', 201);
    expect(call).toThrow(ConfigError);
    expect(call).toThrow(/tabulates its indices for at most 200 pulls, not 201/);
  });
});
