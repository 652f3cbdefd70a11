import { Rng } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { BernoulliBandit } from '../env/bandit.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { EpsilonGreedyBandit, GittinsBandit, GreedyBandit, Ucb1 } from './bandit-policies.js';

describe('UCB1', () => {
  it('pulls every arm once before any arm twice (Auer et al. 2002)', async () => {
    const env = new BernoulliBandit(5);
    const tasks = env.sampleTasks(new Rng('tasks'), 64);
    const run = new Ucb1(0.2).startTrials(tasks, env, new Rng('policy'));
    const rng = new Rng('actions');
    const seen = Array.from({ length: 64 }, () => new Set<number>());
    let observations = tasks.reset();
    for (let t = 0; t < 5; t++) {
      const actions = await run.act(observations, rng);
      actions.forEach((a, i) => {
        expect(seen[i]!.has(a)).toBe(false);
        seen[i]!.add(a);
      });
      const result = tasks.step(actions, rng.child('outcomes'));
      run.observe(actions, result);
      observations = result.observations;
    }
  });

  it('can reach at most 6.67 at n = 10, k = 5, so the paper’s 6.7 is not the textbook index', async () => {
    // After 5 forced pulls (2.5 expected), 5 pulls of the best of 5 U[0, 1] arms give at most 5 · 5/6.
    const r = await evaluatePolicy(new Ucb1(0.2), new BernoulliBandit(5), {
      episodes: 10,
      trials: 1000,
      seed: 1,
    });
    expect(r.mean + 3 * r.stderr).toBeLessThan(2.5 + (5 * 5) / 6);
  });
});

describe('bandit baselines: randomness', () => {
  it.each([
    ['greedy', () => new GreedyBandit()],
    ['epsilon-greedy at ε = 0', () => new EpsilonGreedyBandit(0)],
    ['ucb1', () => new Ucb1(0.2)],
    ['gittins', () => new GittinsBandit(0.9, 10)],
  ])(
    '%s: a rule with deterministic scores draws nothing from the action stream; its ties have their own',
    async (_, make) => {
      const env = new BernoulliBandit(5);
      const tasks = env.sampleTasks(new Rng('tasks'), 64);
      const run = make().startTrials(tasks, env, new Rng('policy'));
      const actRng = new Rng('actions');
      let observations = tasks.reset();
      for (let t = 0; t < 10; t++) {
        const actions = await run.act(observations, actRng);
        const result = tasks.step(actions, new Rng('outcomes').child(t));
        run.observe(actions, result);
        observations = result.observations;
      }
      expect(actRng.next()).toBe(new Rng('actions').next());
    },
  );

  it('greedy and ε-greedy at ε = 0 act identically, ties included', async () => {
    const env = new BernoulliBandit(5);
    const play = async (policy: GreedyBandit) => {
      const tasks = env.sampleTasks(new Rng('tasks'), 256);
      const run = policy.startTrials(tasks, env, new Rng('policy'));
      const taken: number[] = [];
      let observations = tasks.reset();
      for (let t = 0; t < 10; t++) {
        const actions = await run.act(observations, new Rng('actions').child(t));
        taken.push(...actions);
        const result = tasks.step(actions, new Rng('outcomes').child(t));
        run.observe(actions, result);
        observations = result.observations;
      }
      return taken;
    };
    expect(await play(new EpsilonGreedyBandit(0))).toEqual(await play(new GreedyBandit()));
  });
});
