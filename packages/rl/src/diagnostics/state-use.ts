import { ConfigError, type Rng } from '@metagrad/core';
import { oneHotState, PosteriorMeanRewards } from '../classic-policies/posterior-mean-rewards.js';
import type { Env, StepResult, TaskBatch } from '../env/env.js';
import type { Policy, PolicyRun } from '../eval/policy.js';

/** Counts of the steps where knowing the state changes the best action, and what was chosen there. */
export interface StateUseCounts {
  /**
   * Steps where no action is best both in the current state (by its rewards there so far) and
   * ignoring the state (by its rewards in every state so far).
   */
  decisive: number;
  /** Decisive steps whose action is a best one for the current state. */
  followedState: number;
  /** Decisive steps whose action is a best one ignoring the state. */
  followedStateBlind: number;
}

/** What {@link StateUseDiagnostic} found, over all trials and by episode of the trial. */
export interface StateUseReport extends StateUseCounts {
  /** Every step of every trial. */
  steps: number;
  byEpisode: StateUseCounts[];
}

const noCounts = (): StateUseCounts => ({ decisive: 0, followedState: 0, followedStateBlind: 0 });

/**
 * Watches a policy play tabular MDP trials and asks whether it uses the state: at each step, the
 * best actions by posterior-mean reward in the current state (the `myopic` rule's estimate) and
 * ignoring the state (the `state-blind` rule's) are worked out from what the trial has paid so far;
 * where the two sets share no action, it counts whether the policy followed one or the other.
 * The policy acts exactly as it would unwatched (the same random draws), so an evaluation through
 * the diagnostic gives the policy's own scores.
 */
export class StateUseDiagnostic implements Policy {
  private readonly totals = { ...noCounts(), steps: 0 };
  private readonly byEpisode: StateUseCounts[] = [];

  constructor(readonly inner: Policy) {}

  get name(): string {
    return this.inner.name;
  }

  describe(): Record<string, unknown> {
    return this.inner.describe();
  }

  startTrials(tasks: TaskBatch, env: Env, rng: Rng): PolicyRun {
    const S = env.observationSize;
    const A = env.numActions;
    if (S < 2)
      throw new ConfigError('env', env.name, 'has no states to use: the diagnostic needs a tabular MDP');
    const run = this.inner.startTrials(tasks, env, rng);
    const perState = new PosteriorMeanRewards(tasks.batch, S * A);
    const perAction = new PosteriorMeanRewards(tasks.batch, A);
    const states = new Int32Array(tasks.batch);
    const stateBest: number[] = [];
    const blindBest: number[] = [];
    let step = 0;
    const count = (actions: Int32Array): Int32Array => {
      const episode = Math.floor(step++ / env.episodeLength);
      while (this.byEpisode.length <= episode) this.byEpisode.push(noCounts());
      const here = this.byEpisode[episode]!;
      for (let i = 0; i < tasks.batch; i++) {
        perState.bestActions(i, states[i]! * A, A, stateBest);
        perAction.bestActions(i, 0, A, blindBest);
        this.totals.steps++;
        if (stateBest.some((a) => blindBest.includes(a))) continue;
        for (const counts of [this.totals, here]) {
          counts.decisive++;
          if (stateBest.includes(actions[i]!)) counts.followedState++;
          if (blindBest.includes(actions[i]!)) counts.followedStateBlind++;
        }
      }
      return actions;
    };
    return {
      act: (observations: Float32Array, actRng: Rng) => {
        for (let i = 0; i < tasks.batch; i++) states[i] = oneHotState(observations, i, S);
        const actions = run.act(observations, actRng);
        return actions instanceof Promise ? actions.then(count) : count(actions);
      },
      observe: (actions: Int32Array, result: StepResult) => {
        for (let i = 0; i < tasks.batch; i++) {
          perState.record(i, states[i]! * A + actions[i]!, result.rewards[i]!);
          perAction.record(i, actions[i]!, result.rewards[i]!);
        }
        run.observe(actions, result);
      },
      dispose: () => run.dispose?.(),
    };
  }

  /** The counts over every trial played so far. */
  report(): StateUseReport {
    return { ...this.totals, byEpisode: this.byEpisode.map((c) => ({ ...c })) };
  }
}
