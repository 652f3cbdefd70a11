import { describe, expect, it } from 'vitest';
import { BernoulliBandit } from '../env/bandit.js';
import { TabularMdp } from '../env/tabular-mdp.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import type { Policy } from '../eval/policy.js';
import {
  GittinsBandit,
  GreedyBandit,
  PosteriorUcb,
  RandomBandit,
  ThompsonSampling,
} from './bandit-policies.js';
import { RandomMdpPolicy, Ucrl2 } from './mdp-policies.js';

// Duan et al. (2016), Tables 1 and 2: mean total reward per trial. Hyperparameters are the ones
// `tuneBaseline` picks on its own tuning trials (UCB1 on the posterior mean c = 0.1, Gittins γ = 0.98, UCRL2 scale 0.3).
const TRIALS = 1000;

async function withinTwoStandardErrors(
  policy: Policy,
  env: BernoulliBandit | TabularMdp,
  episodes: number,
  paper: number,
) {
  const r = await evaluatePolicy(policy, env, { episodes, trials: TRIALS, seed: 1 });
  expect(Math.abs(r.mean - paper)).toBeLessThan(2 * r.stderr);
}

describe('baselines reproduce the paper within 2 standard errors at 1000 trials', () => {
  const bandit = new BernoulliBandit(5);
  it.each([
    ['random', 49.9, () => new RandomBandit()],
    ['greedy', 74.8, () => new GreedyBandit()],
    ['thompson', 74.7, () => new ThompsonSampling()],
    // The paper's UCB1 column (78.0) is matched by the posterior-mean variant; the textbook index
    // (empirical means, each arm tried once first) reaches 76.7 ± 0.5 at its tuned c = 0.2.
    ['ucb1-posterior', 78.0, () => new PosteriorUcb(0.1)],
    ['gittins', 78.3, () => new GittinsBandit(0.98, 100)],
  ] as const)('bandit n = 100, k = 5: %s ≈ %f', async (_, paper, make) => {
    await withinTwoStandardErrors(make(), bandit, 100, paper);
  });

  it.each([
    ['random', 5.0, () => new RandomBandit()],
    ['thompson', 5.7, () => new ThompsonSampling()],
    ['greedy', 6.6, () => new GreedyBandit()],
  ] as const)('bandit n = 10, k = 5: %s ≈ %f', async (_, paper, make) => {
    await withinTwoStandardErrors(make(), bandit, 10, paper);
  });

  it.each([
    ['random', 100.1, () => new RandomMdpPolicy()],
    ['ucrl2', 146.6, () => new Ucrl2(0.3)],
  ] as const)('MDP n = 10: %s ≈ %f', async (_, paper, make) => {
    await withinTwoStandardErrors(make(), new TabularMdp(), 10, paper);
  });
});
