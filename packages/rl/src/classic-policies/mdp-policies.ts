import { ConfigError, type Rng } from '@metagrad/core';
import type { Env, StepResult, TaskBatch } from '../env/env.js';
import type { Policy, PolicyRun } from '../eval/policy.js';
import { type MdpModel, planEpisode } from './mdp-planning.js';
import { sampleGamma } from './sampling.js';

/** The state index of trial `i` from one-hot observations `[batch × states]`. */
function stateOf(observations: Float32Array, i: number, states: number): number {
  for (let j = 0; j < states; j++) if (observations[i * states + j] === 1) return j;
  return -1;
}

/**
 * Bayesian statistics of one trial in a tabular MDP under the generative model's own prior:
 * transitions ~ Dirichlet(1), mean rewards ~ N(1, 1) with N(0, 1) observation noise.
 */
class MdpBeliefs {
  readonly counts: Float64Array;
  readonly visits: Float64Array;
  readonly rewardSums: Float64Array;
  constructor(
    readonly states: number,
    readonly actions: number,
  ) {
    this.counts = new Float64Array(states * actions * states);
    this.visits = new Float64Array(states * actions);
    this.rewardSums = new Float64Array(states * actions);
  }
  /** One observed step; `next` < 0 where the episode ended, so the transition is unseen. */
  record(s: number, a: number, reward: number, next: number): void {
    const sa = s * this.actions + a;
    this.visits[sa]! += 1;
    this.rewardSums[sa]! += reward;
    if (next >= 0) this.counts[sa * this.states + next]! += 1;
  }
  /** Posterior mean reward: (prior mean 1 + Σr) / (1 + n). */
  meanReward(sa: number): number {
    return (1 + this.rewardSums[sa]!) / (1 + this.visits[sa]!);
  }
  meanModel(): MdpModel {
    const { states: S, actions: A } = this;
    const p = new Float64Array(S * A * S);
    const r = new Float64Array(S * A);
    for (let sa = 0; sa < S * A; sa++) {
      const n = this.visits[sa]!;
      for (let j = 0; j < S; j++) p[sa * S + j] = (1 + this.counts[sa * S + j]!) / (S + n);
      r[sa] = this.meanReward(sa);
    }
    return { p, r };
  }
  sampleModel(rng: Rng): MdpModel {
    const { states: S, actions: A } = this;
    const p = new Float64Array(S * A * S);
    const r = new Float64Array(S * A);
    for (let sa = 0; sa < S * A; sa++) {
      let total = 0;
      for (let j = 0; j < S; j++) {
        const g = sampleGamma(1 + this.counts[sa * S + j]!, rng);
        p[sa * S + j] = g;
        total += g;
      }
      for (let j = 0; j < S; j++) p[sa * S + j]! /= total;
      r[sa] = this.meanReward(sa) + rng.normal() / Math.sqrt(1 + this.visits[sa]!);
    }
    return { p, r };
  }
}

/**
 * A rule that turns a trial's beliefs into a plan at the start of each episode, or, where
 * {@link replans}, before every step.
 */
abstract class PlanningPolicy implements Policy {
  abstract readonly name: string;
  abstract describe(): Record<string, unknown>;
  /** Plan for the `horizon` steps left in the episode (`episode` counts from 0). */
  protected abstract plan(beliefs: MdpBeliefs, horizon: number, episode: number, rng: Rng): Int32Array | null;
  /** Plan again before every step, with what the episode has taught so far. */
  protected replans(): boolean {
    return false;
  }
  /** Probability of a random action instead of the plan's. */
  protected explore(): number {
    return 0;
  }

  startTrials(tasks: TaskBatch, env: Env): PolicyRun {
    const S = env.observationSize;
    const A = env.numActions;
    const T = env.episodeLength;
    const beliefs = Array.from({ length: tasks.batch }, () => new MdpBeliefs(S, A));
    const plans: (Int32Array | null)[] = new Array(tasks.batch).fill(null);
    const current = new Int32Array(tasks.batch);
    let t = 0;
    let episode = 0;
    return {
      act: (obs, rng) => {
        const actions = new Int32Array(tasks.batch);
        for (let i = 0; i < tasks.batch; i++) {
          const s = Math.max(0, stateOf(obs, i, S));
          current[i] = s;
          const replans = this.replans();
          if (t === 0 || replans) plans[i] = this.plan(beliefs[i]!, T - t, episode, rng);
          const plan = plans[i];
          actions[i] = !plan || rng.next() < this.explore() ? rng.int(A) : plan[(replans ? 0 : t) * S + s]!;
        }
        return actions;
      },
      observe: (actions: Int32Array, result: StepResult) => {
        for (let i = 0; i < tasks.batch; i++) {
          // The next state is the argmax of the next observation, unless the episode just restarted.
          let next = -1;
          if (!result.episodeDone)
            for (let j = 0; j < S; j++) if (result.observations[i * S + j] === 1) next = j;
          beliefs[i]!.record(current[i]!, actions[i]!, result.rewards[i]!, next);
        }
        t++;
        if (result.episodeDone) {
          t = 0;
          episode++;
        }
      },
    };
  }
}

/** Uniformly random actions. */
export class RandomMdpPolicy extends PlanningPolicy {
  readonly name = 'random';
  describe() {
    return { name: this.name };
  }
  protected plan(): null {
    return null;
  }
}

/**
 * Plans with the posterior mean model before every step, for the rest of the episode; ties between
 * equally valued actions (those it knows nothing of) go at random.
 */
export class GreedyMdpPolicy extends PlanningPolicy {
  readonly name: string = 'greedy';
  describe(): Record<string, unknown> {
    return { name: this.name };
  }
  protected override replans(): boolean {
    return true;
  }
  protected plan(b: MdpBeliefs, horizon: number, _episode: number, rng: Rng): Int32Array {
    return planEpisode(b.meanModel(), b.states, b.actions, horizon, { ties: rng });
  }
}

/** Greedy planning, with a random action with probability ε. */
export class EpsilonGreedyMdpPolicy extends GreedyMdpPolicy {
  override readonly name = 'epsilon-greedy';
  constructor(readonly epsilon: number) {
    super();
  }
  override describe() {
    return { name: this.name, epsilon: this.epsilon };
  }
  protected override explore(): number {
    return this.epsilon;
  }
}

/** Posterior sampling for RL (Osband et al. 2013): plan with one MDP sampled from the posterior per episode. */
export class Psrl extends PlanningPolicy {
  readonly name = 'psrl';
  describe() {
    return { name: this.name };
  }
  protected plan(b: MdpBeliefs, horizon: number, _episode: number, rng: Rng): Int32Array {
    return planEpisode(b.sampleModel(rng), b.states, b.actions, horizon);
  }
}

/**
 * Optimistic posterior sampling: `samples` MDPs drawn from the posterior per episode, and each
 * state-action backed up under the sample that values it most (the extended MDP of Agrawal & Jia
 * 2017). One sample is PSRL; more samples explore more.
 */
export class Opsrl extends PlanningPolicy {
  readonly name = 'opsrl';
  constructor(readonly samples: number) {
    super();
    if (!Number.isInteger(samples) || samples < 1)
      throw new ConfigError('samples', samples, 'must be a positive integer');
  }
  describe() {
    return { name: this.name, samples: this.samples };
  }
  protected plan(b: MdpBeliefs, horizon: number, _episode: number, rng: Rng): Int32Array {
    const models = Array.from({ length: this.samples }, () => b.sampleModel(rng));
    return planEpisode(models, b.states, b.actions, horizon);
  }
}

/**
 * UCRL2 (Jaksch et al. 2010) for episodes: extended value iteration over the confidence set with
 * L1 radius scale·√(S·log(2SAt)/n) on transitions and reward bonus scale·√(log(2SAt)/n).
 */
export class Ucrl2 extends PlanningPolicy {
  readonly name = 'ucrl2';
  constructor(readonly scale: number) {
    super();
  }
  describe() {
    return { name: this.name, scale: this.scale };
  }
  protected plan(b: MdpBeliefs, horizon: number, episode: number): Int32Array {
    const { states: S, actions: A } = b;
    const steps = Math.max(1, episode * horizon);
    const log = Math.log(2 * S * A * steps);
    const p = new Float64Array(S * A * S);
    const r = new Float64Array(S * A);
    const radius = new Float64Array(S * A);
    for (let sa = 0; sa < S * A; sa++) {
      const n = b.visits[sa]!;
      const visited = Math.max(1, n);
      let seen = 0;
      for (let j = 0; j < S; j++) seen += b.counts[sa * S + j]!;
      for (let j = 0; j < S; j++) p[sa * S + j] = seen > 0 ? b.counts[sa * S + j]! / seen : 1 / S;
      r[sa] = b.meanReward(sa) + this.scale * Math.sqrt(log / visited);
      radius[sa] = seen > 0 ? this.scale * Math.sqrt((S * log) / seen) : 2;
    }
    return planEpisode({ p, r }, S, A, horizon, { radius });
  }
}

/** Bayesian exploration bonus (Kolter & Ng 2009): the mean model with reward bonus β/(1 + n). */
export class Beb extends PlanningPolicy {
  readonly name = 'beb';
  constructor(readonly beta: number) {
    super();
  }
  describe() {
    return { name: this.name, beta: this.beta };
  }
  protected plan(b: MdpBeliefs, horizon: number): Int32Array {
    const model = b.meanModel();
    for (let sa = 0; sa < model.r.length; sa++) model.r[sa]! += this.beta / (1 + b.visits[sa]!);
    return planEpisode(model, b.states, b.actions, horizon);
  }
}

/** Tabular Q-learning with ε-greedy actions and step size α, reset for every trial. */
export class QLearning implements Policy {
  readonly name = 'q-learning';
  constructor(
    readonly alpha: number,
    readonly epsilon: number,
  ) {}
  describe() {
    return { name: this.name, alpha: this.alpha, epsilon: this.epsilon };
  }
  startTrials(tasks: TaskBatch, env: Env): PolicyRun {
    const S = env.observationSize;
    const A = env.numActions;
    const q = new Float64Array(tasks.batch * S * A);
    const current = new Int32Array(tasks.batch);
    return {
      act: (obs, rng) => {
        const actions = new Int32Array(tasks.batch);
        for (let i = 0; i < tasks.batch; i++) {
          const s = Math.max(0, stateOf(obs, i, S));
          current[i] = s;
          if (rng.next() < this.epsilon) {
            actions[i] = rng.int(A);
            continue;
          }
          let best = 0;
          for (let a = 1; a < A; a++) if (q[(i * S + s) * A + a]! > q[(i * S + s) * A + best]!) best = a;
          actions[i] = best;
        }
        return actions;
      },
      observe: (actions, result) => {
        for (let i = 0; i < tasks.batch; i++) {
          const idx = (i * S + current[i]!) * A + actions[i]!;
          let target = result.rewards[i]!;
          if (!result.episodeDone) {
            const next = Math.max(0, stateOf(result.observations, i, S));
            let best = -Infinity;
            for (let a = 0; a < A; a++) best = Math.max(best, q[(i * S + next) * A + a]!);
            target += best;
          }
          q[idx]! += this.alpha * (target - q[idx]!);
        }
      },
    };
  }
}
