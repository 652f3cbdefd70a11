import type { Rng } from '@metagrad/core';
import type { Env, StepResult, TaskBatch } from './env.js';

/** Options of {@link TabularMdp}. */
export interface TabularMdpOptions {
  states?: number;
  actions?: number;
  episodeLength?: number;
}

/**
 * Random tabular MDPs (Duan et al. 2016, section 4.2): 10 states, 5 actions, episodes of 10 steps
 * starting in state 0; transitions p(·|s, a) ~ Dirichlet(1), mean rewards ~ N(1, 1), and every
 * observed reward carries N(0, 1) noise. Observations are one-hot states.
 *
 * @example
 * ```ts
 * const tasks = new TabularMdp().sampleTasks(rng, 32);
 * let obs = tasks.reset();
 * ```
 */
export class TabularMdp implements Env {
  readonly name = 'mdp';
  readonly states: number;
  readonly numActions: number;
  readonly episodeLength: number;

  constructor(options: TabularMdpOptions = {}) {
    this.states = options.states ?? 10;
    this.numActions = options.actions ?? 5;
    this.episodeLength = options.episodeLength ?? 10;
  }

  get observationSize(): number {
    return this.states;
  }

  sampleTasks(rng: Rng, batch: number): MdpTasks {
    const { states: s, numActions: a } = this;
    const transitions = new Float32Array(batch * s * a * s);
    const meanRewards = new Float32Array(batch * s * a);
    for (let row = 0; row < batch * s * a; row++) {
      // Dirichlet(1, …, 1): normalised Exp(1) draws.
      let total = 0;
      for (let j = 0; j < s; j++) {
        const e = -Math.log(1 - rng.next());
        transitions[row * s + j] = e;
        total += e;
      }
      for (let j = 0; j < s; j++) transitions[row * s + j]! /= total;
      meanRewards[row] = 1 + rng.normal();
    }
    return new MdpTasks(transitions, meanRewards, batch, s, a, this.episodeLength);
  }

  describe() {
    return { env: 'mdp', states: this.states, actions: this.numActions, episodeLength: this.episodeLength };
  }
}

/** A batch of sampled MDPs: `transitions[b][s][a][s']`, `meanRewards[b][s][a]`, and the current states. */
export class MdpTasks implements TaskBatch {
  readonly transitions: Float32Array;
  readonly meanRewards: Float32Array;
  readonly batch: number;
  readonly states: number;
  readonly actions: number;
  readonly episodeLength: number;
  readonly current: Int32Array;
  private t = 0;

  constructor(
    transitions: Float32Array,
    meanRewards: Float32Array,
    batch: number,
    states: number,
    actions: number,
    episodeLength: number,
  ) {
    this.transitions = transitions;
    this.meanRewards = meanRewards;
    this.batch = batch;
    this.states = states;
    this.actions = actions;
    this.episodeLength = episodeLength;
    this.current = new Int32Array(batch);
  }

  private observe(): Float32Array {
    const obs = new Float32Array(this.batch * this.states);
    for (let i = 0; i < this.batch; i++) obs[i * this.states + this.current[i]!] = 1;
    return obs;
  }

  reset(): Float32Array {
    this.current.fill(0);
    this.t = 0;
    return this.observe();
  }

  step(actions: Int32Array, rng: Rng): StepResult {
    const { states: s, actions: a } = this;
    const rewards = new Float32Array(this.batch);
    for (let i = 0; i < this.batch; i++) {
      const row = (i * s + this.current[i]!) * a + actions[i]!;
      rewards[i] = this.meanRewards[row]! + rng.normal();
      let u = rng.next();
      let next = s - 1;
      for (let j = 0; j < s; j++) {
        u -= this.transitions[row * s + j]!;
        if (u < 0) {
          next = j;
          break;
        }
      }
      this.current[i] = next;
    }
    this.t++;
    const episodeDone = this.t >= this.episodeLength;
    if (episodeDone) {
      this.current.fill(0);
      this.t = 0;
    }
    return { observations: this.observe(), rewards, episodeDone };
  }
}
