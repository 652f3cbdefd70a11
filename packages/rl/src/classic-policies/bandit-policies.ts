import type { Rng } from '@metagrad/core';
import type { Env, StepResult, TaskBatch } from '../env/env.js';
import type { Policy, PolicyRun } from '../eval/policy.js';
import { BayesOptimalPlanner } from './bayes-optimal.js';
import { FiniteHorizonGittinsTable } from './finite-horizon-gittins.js';
import { GittinsTable } from './gittins.js';
import type { ArmIndex } from './index-policy-value.js';
import { argmaxRandomTie, sampleBeta } from './sampling.js';

/**
 * Per-trial pull counts and successes for Bernoulli bandits, and a scoring rule that turns them
 * into one number per arm. Every bandit baseline below is a scoring rule over these statistics.
 */
abstract class BanditPolicy implements Policy {
  abstract readonly name: string;
  abstract describe(): Record<string, unknown>;

  /** Scores of each arm of trial `i` into `scores`; the arm with the highest score is pulled. */
  protected abstract score(
    pulls: Float64Array,
    wins: Float64Array,
    offset: number,
    arms: number,
    t: number,
    scores: Float64Array,
    rng: Rng,
  ): void;

  /** Probability of pulling a uniformly random arm instead (ε-greedy); default 0. */
  protected explore(): number {
    return 0;
  }

  startTrials(tasks: TaskBatch, env: Env, rng: Rng): PolicyRun {
    const arms = env.numActions;
    const pulls = new Float64Array(tasks.batch * arms);
    const wins = new Float64Array(tasks.batch * arms);
    const scores = new Float64Array(arms);
    // Exploration and tie-breaking draw from streams of their own, so that neither moves the other
    // (nor a scoring rule's own draws): an ε of 0 draws nothing, and ties break the same way for
    // every policy that meets the same tie.
    const exploration = rng.child('explore');
    const ties = rng.child('ties');
    const epsilon = this.explore();
    let t = 0;
    return {
      act: (_obs, actRng) => {
        const actions = new Int32Array(tasks.batch);
        for (let i = 0; i < tasks.batch; i++) {
          if (epsilon > 0 && exploration.next() < epsilon) {
            actions[i] = exploration.int(arms);
            continue;
          }
          this.score(pulls, wins, i * arms, arms, t, scores, actRng);
          actions[i] = argmaxRandomTie(scores, 0, arms, ties);
        }
        return actions;
      },
      observe: (actions: Int32Array, result: StepResult) => {
        for (let i = 0; i < tasks.batch; i++) {
          pulls[i * arms + actions[i]!]! += 1;
          wins[i * arms + actions[i]!]! += result.rewards[i]!;
        }
        t++;
      },
    };
  }
}

/** Pulls arms uniformly at random. */
export class RandomBandit extends BanditPolicy {
  readonly name = 'random';
  describe() {
    return { name: this.name };
  }
  protected score(
    _p: Float64Array,
    _w: Float64Array,
    _o: number,
    arms: number,
    _t: number,
    scores: Float64Array,
  ) {
    scores.fill(0, 0, arms);
  }
}

/** Pulls the arm with the highest posterior mean under a Beta(1, 1) prior. */
export class GreedyBandit extends BanditPolicy {
  readonly name: string = 'greedy';
  describe(): Record<string, unknown> {
    return { name: this.name };
  }
  protected score(
    pulls: Float64Array,
    wins: Float64Array,
    o: number,
    arms: number,
    _t: number,
    scores: Float64Array,
  ) {
    for (let a = 0; a < arms; a++) scores[a] = (wins[o + a]! + 1) / (pulls[o + a]! + 2);
  }
}

/** Greedy, except that with probability ε it pulls a random arm. */
export class EpsilonGreedyBandit extends GreedyBandit {
  override readonly name = 'epsilon-greedy';
  readonly epsilon: number;
  constructor(epsilon: number) {
    super();
    this.epsilon = epsilon;
  }
  override describe() {
    return { name: this.name, epsilon: this.epsilon };
  }
  protected override explore(): number {
    return this.epsilon;
  }
}

/**
 * UCB1 as Auer et al. (2002) state it, the paper's baseline: each arm is pulled once, then the arm
 * with the highest empirical mean + c·√(2 ln t / n) (t: pulls so far, n: the arm's pulls). With
 * c = 1 it is the textbook index.
 */
export class Ucb1 extends BanditPolicy {
  readonly name: string = 'ucb1';
  readonly c: number;
  constructor(c: number) {
    super();
    this.c = c;
  }
  describe() {
    return { name: this.name, c: this.c };
  }
  protected score(
    pulls: Float64Array,
    wins: Float64Array,
    o: number,
    arms: number,
    t: number,
    scores: Float64Array,
  ) {
    for (let a = 0; a < arms; a++) {
      const n = pulls[o + a]!;
      // An untried arm comes first; ties between untried arms are broken at random.
      scores[a] = n === 0 ? Infinity : wins[o + a]! / n + this.c * Math.sqrt((2 * Math.log(t)) / n);
    }
  }
}

/**
 * UCB1's bonus on the Beta(1, 1) posterior mean: (s + 1)/(n + 2) + c·√(2 ln(t + 1) / (n + 1)). The
 * prior acts as one pseudo-observation, so no arm must be tried first; with only 10 pulls, trying
 * each of k arms once dominates the result. As c → 0 it is greedy on the posterior mean.
 */
export class PosteriorUcb extends Ucb1 {
  override readonly name = 'ucb1-posterior';
  protected override score(
    pulls: Float64Array,
    wins: Float64Array,
    o: number,
    arms: number,
    t: number,
    scores: Float64Array,
  ) {
    for (let a = 0; a < arms; a++) {
      const n = pulls[o + a]!;
      scores[a] = (wins[o + a]! + 1) / (n + 2) + this.c * Math.sqrt((2 * Math.log(t + 1)) / (n + 1));
    }
  }
}

/** Thompson sampling with a Beta(1, 1) prior; `optimistic` floors each sample at the posterior mean (OTS). */
export class ThompsonSampling extends BanditPolicy {
  readonly name: string;
  readonly optimistic: boolean;
  constructor(optimistic = false) {
    super();
    this.optimistic = optimistic;
    this.name = optimistic ? 'ots' : 'thompson';
  }
  describe() {
    return { name: this.name };
  }
  protected score(
    pulls: Float64Array,
    wins: Float64Array,
    o: number,
    arms: number,
    _t: number,
    scores: Float64Array,
    rng: Rng,
  ) {
    for (let a = 0; a < arms; a++) {
      const alpha = 1 + wins[o + a]!;
      const beta = 1 + pulls[o + a]! - wins[o + a]!;
      const sample = sampleBeta(alpha, beta, rng);
      scores[a] = this.optimistic ? Math.max(sample, alpha / (alpha + beta)) : sample;
    }
  }
}

/** Index functions by policy and setting, built once a process: a table costs up to seconds. */
const indexTables = new Map<string, ArmIndex>();

/**
 * Pulls the arm with the highest index of its successes, failures and the pulls left in a trial
 * of `pulls` pulls; the index comes from a table built once per setting.
 */
abstract class IndexBandit extends BanditPolicy {
  constructor(readonly pulls: number) {
    super();
  }
  /** What tells this setting's table apart from other settings' of the same policy. */
  protected abstract tableKey(): string;
  protected abstract buildIndex(): ArmIndex;
  protected score(
    pulls: Float64Array,
    wins: Float64Array,
    o: number,
    arms: number,
    t: number,
    scores: Float64Array,
  ) {
    const key = `${this.name}/${this.tableKey()}`;
    let index = indexTables.get(key);
    if (!index) {
      index = this.buildIndex();
      indexTables.set(key, index);
    }
    for (let a = 0; a < arms; a++) {
      const w = wins[o + a]!;
      scores[a] = index(w, pulls[o + a]! - w, this.pulls - t);
    }
  }
}

/** Pulls the arm with the highest Gittins index of its Beta posterior at discount γ. */
export class GittinsBandit extends IndexBandit {
  readonly name = 'gittins';
  constructor(
    readonly discount: number,
    maxPulls: number,
  ) {
    super(maxPulls);
  }
  describe() {
    return { name: this.name, discount: this.discount };
  }
  protected tableKey() {
    return `${this.discount}/${this.pulls}`;
  }
  protected buildIndex(): ArmIndex {
    const table = new GittinsTable(this.discount, this.pulls);
    return (successes, failures) => table.index(1 + successes, 1 + failures);
  }
}

/**
 * Pulls the arm with the highest finite-horizon Gittins index for the pulls left in the trial (see
 * {@link FiniteHorizonGittinsTable}): no discount to tune, and near the Bayes-optimal policy where
 * that cannot be computed (exactly level with it at 10 pulls of 5 arms, 0.002 below at 20).
 */
export class FiniteHorizonGittinsBandit extends IndexBandit {
  readonly name = 'finite-horizon-gittins';
  describe() {
    return { name: this.name, pulls: this.pulls };
  }
  protected tableKey() {
    return String(this.pulls);
  }
  protected buildIndex(): ArmIndex {
    const table = new FiniteHorizonGittinsTable(this.pulls);
    return (successes, failures, left) => table.index(successes, failures, left);
  }
}

/**
 * The Bayes-optimal policy for a trial of `pulls` pulls (exact dynamic programming, up to 30 pulls;
 * see {@link BayesOptimalPlanner}): pulls the arm with the highest expected reward to come. It is
 * what the best possible agent does, so an RL² agent's paired difference from it is its regret.
 */
export class BayesOptimalBandit extends BanditPolicy {
  readonly name = 'bayes-optimal';
  private readonly planner: BayesOptimalPlanner;
  constructor(readonly pulls: number) {
    super();
    this.planner = new BayesOptimalPlanner(pulls);
  }
  describe() {
    return { name: this.name, pulls: this.pulls };
  }
  protected score(
    pulls: Float64Array,
    wins: Float64Array,
    o: number,
    arms: number,
    t: number,
    scores: Float64Array,
  ) {
    const counts = Array.from(
      { length: arms },
      (_, a) => [wins[o + a]!, pulls[o + a]! - wins[o + a]!] as [number, number],
    );
    for (let a = 0; a < arms; a++) scores[a] = this.planner.actionValue(counts, a, this.pulls - t);
  }
}
