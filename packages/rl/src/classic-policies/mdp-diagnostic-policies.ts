import type { Rng } from '@metagrad/core';
import type { Env, StepResult, TaskBatch } from '../env/env.js';
import type { Policy, PolicyRun } from '../eval/policy.js';
import { oneHotState, PosteriorMeanRewards } from './posterior-mean-rewards.js';

/**
 * A one-step rule on the posterior-mean reward (prior mean 1, as the MDP's generative model draws
 * mean rewards from N(1, 1)), estimated per (state, action) or, ignoring the state, per action:
 * the best action by that estimate, ties broken at random. No planning and no exploration bonus.
 * The two tell apart what a memory of rewards is worth with and without the state: the per-action
 * rule plays the MDP as a bandit.
 */
abstract class PosteriorMeanRule implements Policy {
  abstract readonly name: string;
  /** Whether the estimate is per (state, action) or per action alone. */
  protected abstract readonly perState: boolean;

  describe(): Record<string, unknown> {
    return { name: this.name };
  }

  startTrials(tasks: TaskBatch, env: Env): PolicyRun {
    const S = env.observationSize;
    const A = env.numActions;
    const rewards = new PosteriorMeanRewards(tasks.batch, this.perState ? S * A : A);
    const states = new Int32Array(tasks.batch);
    const best: number[] = [];
    return {
      act: (observations: Float32Array, rng: Rng) => {
        const actions = new Int32Array(tasks.batch);
        for (let i = 0; i < tasks.batch; i++) {
          states[i] = this.perState ? oneHotState(observations, i, S) : 0;
          rewards.bestActions(i, states[i]! * A, A, best);
          actions[i] = best.length === 1 ? best[0]! : best[rng.int(best.length)]!;
        }
        return actions;
      },
      observe: (actions: Int32Array, result: StepResult) => {
        for (let i = 0; i < tasks.batch; i++)
          rewards.record(i, states[i]! * A + actions[i]!, result.rewards[i]!);
      },
    };
  }
}

/** The MDP played as a bandit: the best action by its posterior-mean reward over every state. */
export class StateBlindMdpPolicy extends PosteriorMeanRule {
  readonly name = 'state-blind';
  protected readonly perState = false;
}

/** The best action in the current state by its posterior-mean reward there, without planning. */
export class MyopicMdpPolicy extends PosteriorMeanRule {
  readonly name = 'myopic';
  protected readonly perState = true;
}
