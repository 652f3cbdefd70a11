import { ConfigError } from '@metagrad/core';
import type { Env } from '../env/env.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import type { Policy } from '../eval/policy.js';
import {
  BayesOptimalBandit,
  EpsilonGreedyBandit,
  FiniteHorizonGittinsBandit,
  GittinsBandit,
  GreedyBandit,
  PosteriorUcb,
  RandomBandit,
  ThompsonSampling,
  Ucb1,
} from './bandit-policies.js';
import { MAX_BAYES_OPTIMAL_PULLS } from './bayes-optimal.js';
import { MAX_FINITE_HORIZON_GITTINS_PULLS } from './finite-horizon-gittins.js';
import { MyopicMdpPolicy, StateBlindMdpPolicy } from './mdp-diagnostic-policies.js';
import {
  Beb,
  EpsilonGreedyMdpPolicy,
  GreedyMdpPolicy,
  Opsrl,
  Psrl,
  QLearning,
  RandomMdpPolicy,
  Ucrl2,
} from './mdp-policies.js';

/** Baselines for bandits, in the column order of the paper's Table 1 (plus UCB1 on the posterior mean). */
export const BANDIT_BASELINES = [
  'random',
  'gittins',
  'thompson',
  'ots',
  'ucb1',
  'ucb1-posterior',
  'epsilon-greedy',
  'greedy',
] as const;
/** Baselines for tabular MDPs, in the column order of the paper's Table 2 (plus Q-learning). */
export const MDP_BASELINES = [
  'random',
  'psrl',
  'opsrl',
  'ucrl2',
  'beb',
  'epsilon-greedy',
  'greedy',
  'q-learning',
] as const;

/**
 * Bandit policies to compare with that are not columns of the paper's Table 1: the exact
 * Bayes-optimal policy (trials of at most 30 pulls), the ceiling of what any agent can expect, and
 * the finite-horizon Gittins index policy (at most 200 pulls), near that ceiling where it cannot be computed.
 */
export const BANDIT_REFERENCES = ['bayes-optimal', 'finite-horizon-gittins'] as const;

/**
 * MDP rules to compare with that are not columns of the paper's Table 2: one-step posterior-mean
 * rules that ignore the state (`state-blind`, the MDP played as a bandit) or use it (`myopic`),
 * which tell apart what an agent's memory of rewards per state is worth.
 */
export const MDP_REFERENCES = ['state-blind', 'myopic'] as const;

export type BaselineName =
  | (typeof BANDIT_BASELINES)[number]
  | (typeof BANDIT_REFERENCES)[number]
  | (typeof MDP_BASELINES)[number]
  | (typeof MDP_REFERENCES)[number];

/** Every setting of a baseline's hyperparameters worth trying (one entry for those without any). */
export function baselineCandidates(env: Env, name: string, episodes: number): Policy[] {
  const isBandit = env.name === 'bandit';
  const known: readonly string[] = isBandit
    ? [...BANDIT_BASELINES, ...BANDIT_REFERENCES]
    : [...MDP_BASELINES, ...MDP_REFERENCES];
  if (!known.includes(name)) {
    throw new ConfigError('policy', name, `not a ${env.name} baseline; expected one of ${known.join(', ')}`);
  }
  if (isBandit) {
    switch (name) {
      case 'random':
        return [new RandomBandit()];
      case 'greedy':
        return [new GreedyBandit()];
      case 'epsilon-greedy':
        return [0.01, 0.02, 0.05, 0.1, 0.2].map((e) => new EpsilonGreedyBandit(e));
      case 'ucb1':
        return [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1].map((c) => new Ucb1(c));
      case 'ucb1-posterior':
        return [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1].map((c) => new PosteriorUcb(c));
      case 'thompson':
        return [new ThompsonSampling()];
      case 'ots':
        return [new ThompsonSampling(true)];
      case 'bayes-optimal':
        if (episodes > MAX_BAYES_OPTIMAL_PULLS)
          throw new ConfigError(
            'policy',
            name,
            `plans exactly over at most ${MAX_BAYES_OPTIMAL_PULLS} pulls, not ${episodes}`,
          );
        return [new BayesOptimalBandit(episodes)];
      case 'finite-horizon-gittins':
        if (episodes > MAX_FINITE_HORIZON_GITTINS_PULLS)
          throw new ConfigError(
            'policy',
            name,
            `tabulates its indices for at most ${MAX_FINITE_HORIZON_GITTINS_PULLS} pulls, not ${episodes}`,
          );
        return [new FiniteHorizonGittinsBandit(episodes)];
      case 'gittins':
        return [0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99].map((g) => new GittinsBandit(g, episodes));
    }
  }
  switch (name) {
    case 'random':
      return [new RandomMdpPolicy()];
    case 'greedy':
      return [new GreedyMdpPolicy()];
    case 'epsilon-greedy':
      return [0.01, 0.03, 0.1, 0.2].map((e) => new EpsilonGreedyMdpPolicy(e));
    case 'psrl':
      return [new Psrl()];
    case 'opsrl':
      return [2, 3, 5, 10].map((k) => new Opsrl(k));
    case 'ucrl2':
      return [0.01, 0.03, 0.1, 0.3, 1].map((s) => new Ucrl2(s));
    case 'beb':
      return [0.03, 0.1, 0.3, 1, 3].map((b) => new Beb(b));
    case 'state-blind':
      return [new StateBlindMdpPolicy()];
    case 'myopic':
      return [new MyopicMdpPolicy()];
    default:
      return [0.1, 0.3, 0.5].flatMap((alpha) => [0.05, 0.1, 0.2].map((eps) => new QLearning(alpha, eps)));
  }
}

/** Options of {@link tuneBaseline}. */
export interface TuneBaselineOptions {
  episodes: number;
  /** Trials per candidate on the tuning tasks. Default 500. */
  trials?: number;
  /** Seed of the tuning tasks; keep it apart from the evaluation seed. */
  seed?: number | string;
}

/**
 * Picks a baseline's hyperparameters (ε, UCB1's c, the Gittins discount, UCRL2's and BEB's bonus
 * scales, OPSRL's sample count, Q-learning's α and ε) by the mean total reward on tuning trials disjoint from the
 * evaluation trials.
 *
 * @example
 * ```ts
 * const ucb = await tuneBaseline(new BernoulliBandit(5), 'ucb1', { episodes: 100 });
 * ```
 */
export async function tuneBaseline(env: Env, name: string, options: TuneBaselineOptions): Promise<Policy> {
  const candidates = baselineCandidates(env, name, options.episodes);
  if (candidates.length === 1) return candidates[0]!;
  let best = candidates[0]!;
  let bestMean = -Infinity;
  for (const candidate of candidates) {
    const { mean } = await evaluatePolicy(candidate, env, {
      episodes: options.episodes,
      trials: options.trials ?? 500,
      seed: options.seed ?? 'tune',
    });
    if (mean > bestMean) {
      bestMean = mean;
      best = candidate;
    }
  }
  return best;
}
