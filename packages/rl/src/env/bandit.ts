import type { Rng } from '@metagrad/core';
import type { Env, StepResult, TaskBatch } from './env.js';

/**
 * Bernoulli multi-armed bandits (Duan et al. 2016, section 4.1): each trial draws k arm means
 * from U[0, 1]; each pull is a one-step episode paying 1 with the arm's probability.
 *
 * @example
 * ```ts
 * const tasks = new BernoulliBandit(5).sampleTasks(rng, 64);
 * const { rewards } = tasks.step(actions, rng);
 * ```
 */
export class BernoulliBandit implements Env {
  readonly name = 'bandit';
  readonly numActions: number;
  readonly observationSize = 0;
  readonly episodeLength = 1;

  constructor(arms: number) {
    if (!Number.isInteger(arms) || arms < 2)
      throw new RangeError(`arms must be an integer >= 2, got ${arms}`);
    this.numActions = arms;
  }

  sampleTasks(rng: Rng, batch: number): BanditTasks {
    const means = new Float32Array(batch * this.numActions);
    for (let i = 0; i < means.length; i++) means[i] = rng.next();
    return new BanditTasks(means, batch, this.numActions);
  }

  describe() {
    return { env: 'bandit', arms: this.numActions };
  }
}

/** A batch of bandit tasks: arm means `[batch × arms]`. */
export class BanditTasks implements TaskBatch {
  readonly means: Float32Array;
  readonly batch: number;
  readonly arms: number;
  private readonly empty = new Float32Array(0);

  constructor(means: Float32Array, batch: number, arms: number) {
    this.means = means;
    this.batch = batch;
    this.arms = arms;
  }

  reset(): Float32Array {
    return this.empty;
  }

  step(actions: Int32Array, rng: Rng): StepResult {
    const rewards = new Float32Array(this.batch);
    for (let i = 0; i < this.batch; i++) {
      rewards[i] = rng.next() < this.means[i * this.arms + actions[i]!]! ? 1 : 0;
    }
    return { observations: this.empty, rewards, episodeDone: true };
  }

  optimalEpisodeReturn(trial: number): number {
    let best = 0;
    for (let a = 0; a < this.arms; a++) best = Math.max(best, this.means[trial * this.arms + a]!);
    return best;
  }
}
