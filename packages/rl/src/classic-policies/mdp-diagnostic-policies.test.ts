import { Rng } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { TabularMdp } from '../env/tabular-mdp.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { pairedDifference } from '../eval/paired-difference.js';
import type { Policy, PolicyRun } from '../eval/policy.js';
import { MyopicMdpPolicy, StateBlindMdpPolicy } from './mdp-diagnostic-policies.js';
import { Psrl } from './mdp-policies.js';

describe('the MDP diagnostic rules', () => {
  it('remembering rewards per state beats ignoring it, and beats PSRL, at n = 10 (paired, 1000 trials, 10 SE)', async () => {
    const options = { episodes: 10, trials: 1000, seed: 'diagnostic-rules' };
    const env = new TabularMdp();
    const [myopic, blind, psrl] = [
      await evaluatePolicy(new MyopicMdpPolicy(), env, options),
      await evaluatePolicy(new StateBlindMdpPolicy(), env, options),
      await evaluatePolicy(new Psrl(), env, options),
    ];
    for (const other of [blind, psrl]) {
      const d = pairedDifference(myopic, other);
      expect(d.mean, other.policy).toBeGreaterThan(10 * d.stderr);
    }
  });

  it('the state-blind rule acts the same in every state; the myopic one keeps each state apart', () => {
    const env = new TabularMdp();
    const tasks = env.sampleTasks(new Rng('tasks'), 1);
    const S = env.observationSize;
    const state = (s: number) => Float32Array.from({ length: S }, (_, j) => (j === s ? 1 : 0));
    const rng = new Rng('ties');
    const act = (run: PolicyRun, s: number) => (run.act(state(s), rng) as Int32Array)[0]!;
    /** The first action (in state 0) pays well; then the actions in states 0 and 1. */
    const played = (policy: Policy) => {
      const run = policy.startTrials(tasks, env, rng);
      const first = act(run, 0);
      const rewards = Float32Array.from([5]);
      run.observe(Int32Array.from([first]), { rewards, observations: state(1), episodeDone: false });
      return [first, act(run, 0), act(run, 1)];
    };
    const [first, ...blind] = played(new StateBlindMdpPolicy());
    expect(blind).toEqual([first, first]);
    const counts = new Array(env.numActions).fill(0);
    for (let i = 0; i < 200; i++) {
      const [chosen, again, elsewhere] = played(new MyopicMdpPolicy());
      expect(again).toBe(chosen);
      counts[elsewhere!]++;
    }
    // In state 1 nothing is known: every action ties, and ties are broken at random.
    expect(counts.every((c) => c > 0)).toBe(true);
  });
});
