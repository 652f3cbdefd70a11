import type { Rng } from '@metagrad/core';
import type { Env, StepResult, TaskBatch } from '../env/env.js';
import type { Policy, PolicyRun } from '../eval/policy.js';

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
    const cells = this.perState ? S * A : A;
    const visits = new Float64Array(tasks.batch * cells);
    const sums = new Float64Array(tasks.batch * cells);
    const chosen = new Int32Array(tasks.batch);
    const best: number[] = [];
    return {
      act: (observations: Float32Array, rng: Rng) => {
        const actions = new Int32Array(tasks.batch);
        for (let i = 0; i < tasks.batch; i++) {
          let state = 0;
          if (this.perState) while (state < S - 1 && observations[i * S + state] !== 1) state++;
          const cell = i * cells + (this.perState ? state * A : 0);
          chosen[i] = cell;
          best.length = 0;
          let top = -Infinity;
          for (let a = 0; a < A; a++) {
            const mean = (1 + sums[cell + a]!) / (1 + visits[cell + a]!);
            if (mean > top) {
              top = mean;
              best.length = 0;
            }
            if (mean === top) best.push(a);
          }
          actions[i] = best.length === 1 ? best[0]! : best[rng.int(best.length)]!;
        }
        return actions;
      },
      observe: (actions: Int32Array, result: StepResult) => {
        for (let i = 0; i < tasks.batch; i++) {
          const cell = chosen[i]! + actions[i]!;
          visits[cell]! += 1;
          sums[cell]! += result.rewards[i]!;
        }
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
