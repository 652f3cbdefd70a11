import { describe, expect, it } from 'vitest';
import { GreedyBandit, RandomBandit } from '../classic-policies/bandit-policies.js';
import { BernoulliBandit } from '../env/bandit.js';
import { evaluatePolicy } from './evaluate.js';

describe('evaluatePolicy', () => {
  const env = new BernoulliBandit(5);
  const trials = 4000;
  // With arm means ~ U[0, 1], a pull of a uniformly random arm pays 1 with probability ½, independently
  // across trials, so each episode's mean over the trials has standard deviation √(¼ / trials).
  const sigma = Math.sqrt(0.25 / trials);

  it('reports per-episode means that sum to the mean total reward', async () => {
    const r = await evaluatePolicy(new GreedyBandit(), env, { episodes: 10, trials: 500, seed: 4 });
    expect(r.episodeMeans).toHaveLength(10);
    expect(r.episodeMeans.reduce((a, b) => a + b, 0)).toBeCloseTo(r.mean, 9);
  });

  it('shows no learning within the trial for random play and clear learning for greedy play', async () => {
    const random = await evaluatePolicy(new RandomBandit(), env, { episodes: 10, trials, seed: 5 });
    // Ten two-sided tests at 4σ: family-wise significance level below 10⁻³ (fixed seed).
    for (const m of random.episodeMeans) expect(Math.abs(m - 0.5)).toBeLessThan(4 * sigma);
    const greedy = await evaluatePolicy(new GreedyBandit(), env, { episodes: 10, trials, seed: 5 });
    // Greedy's first pull knows nothing about the arms, so it too pays 1 with probability ½ …
    expect(Math.abs(greedy.episodeMeans[0]! - 0.5)).toBeLessThan(4 * sigma);
    // … and its last pull exploits what it learned: E[max of 5 U(0, 1) means] is 5/6, random ½.
    expect(greedy.episodeMeans[9]!).toBeGreaterThan(0.5 + 8 * sigma);
  });
});
