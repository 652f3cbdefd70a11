import { Rng } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { TabularMdp } from '../env/tabular-mdp.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { pairedDifference } from '../eval/paired-difference.js';
import { GreedyMdpPolicy, Opsrl, Psrl } from './mdp-policies.js';

describe('optimistic posterior sampling (OPSRL)', () => {
  it('with one posterior sample is PSRL, trial for trial', async () => {
    const options = { episodes: 5, trials: 100, seed: 4 };
    const psrl = await evaluatePolicy(new Psrl(), new TabularMdp(), options);
    const opsrl = await evaluatePolicy(new Opsrl(1), new TabularMdp(), options);
    expect(opsrl.totals).toEqual(psrl.totals);
  });

  it('rejects a sample count that is not a positive integer', () => {
    expect(() => new Opsrl(0)).toThrow(/invalid samples: 0/);
    expect(() => new Opsrl(2.5)).toThrow(/invalid samples: 2.5/);
  });
});

describe('the greedy planner', () => {
  const env = new TabularMdp();
  const S = env.observationSize;
  const state = (s: number) => Float32Array.from({ length: S }, (_, j) => (j === s ? 1 : 0));

  it('plans again after every step: an action that just paid well is taken again within the episode', () => {
    const tasks = env.sampleTasks(new Rng('tasks'), 1);
    const counts = new Array(env.numActions).fill(0);
    for (let i = 0; i < 200; i++) {
      const rng = new Rng(`replan-${i}`);
      const run = new GreedyMdpPolicy().startTrials(tasks, env);
      const first = (run.act(state(0), rng) as Int32Array)[0]!;
      counts[first]++;
      // It paid 5 and stayed in state 0, with 8 steps of the episode left.
      run.observe(Int32Array.of(first), {
        rewards: Float32Array.of(5),
        observations: state(0),
        episodeDone: false,
      });
      expect((run.act(state(0), rng) as Int32Array)[0]).toBe(first);
    }
    // Before anything is known every action is worth the same: ties go at random.
    expect(counts.every((c) => c > 0)).toBe(true);
  });

  it('beats PSRL at n = 10 (paired, 300 trials, by more than 10 standard errors)', async () => {
    const options = { episodes: 10, trials: 300, seed: 'greedy-planner' };
    const greedy = await evaluatePolicy(new GreedyMdpPolicy(), env, options);
    const psrl = await evaluatePolicy(new Psrl(), env, options);
    const d = pairedDifference(greedy, psrl);
    expect(d.mean).toBeGreaterThan(10 * d.stderr);
  });
});
