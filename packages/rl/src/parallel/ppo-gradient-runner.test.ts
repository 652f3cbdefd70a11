import { Rng } from '@metagrad/core';
import { afterAll, describe, expect, it } from 'vitest';
import { trialGae } from '../agent/gae.js';
import { GruPolicy } from '../agent/gru-policy.js';
import { rl2InputSize } from '../agent/rl2-input.js';
import { Rl2Trainer } from '../agent/rl2-trainer.js';
import { collectTrials } from '../agent/rollout.js';
import { BernoulliBandit } from '../env/bandit.js';
import { PpoGradientRunner } from './ppo-gradient-runner.js';

const settings = { clip: 0.2, valueCoefficient: 0.5, entropyCoefficient: 0.01 };

describe('PPO gradients split across worker threads', async () => {
  const env = new BernoulliBandit(5);
  const policy = new GruPolicy(
    { inputSize: rl2InputSize(env.observationSize, env.numActions), hidden: 16, actions: 5, embedding: 8 },
    new Rng('workers'),
  );
  const r = new Rng('rollout');
  const rollout = await collectTrials(policy, env, {
    batch: 13,
    episodes: 12,
    taskRng: r.child('t'),
    actionRng: r.child('a'),
    outcomeRng: r.child('o'),
  });
  const { advantages, returns } = trialGae(rollout.rewards, rollout.values, 0.99, 0.3);
  const source = { rollout, trials: [12, 0, 5, 3, 7, 1, 9, 2, 11, 4, 6], advantages, returns };
  const heads = { policy: true, value: true };
  const one = new PpoGradientRunner(1);
  const two = new PpoGradientRunner(2);
  afterAll(async () => {
    await two.dispose();
    policy.dispose();
  });

  const read = (g: Awaited<ReturnType<PpoGradientRunner['gradients']>>) => ({
    total: g.total.dataSync()[0]!,
    grads: policy.variables.map((v) => Array.from(g.grads[v.name]!.dataSync())),
  });

  it('2 workers equal 1 up to float rounding, and repeat bit for bit', async () => {
    const a = read(await one.gradients(policy, source, settings, heads));
    const b = read(await two.gradients(policy, source, settings, heads));
    const c = read(await two.gradients(policy, source, settings, heads));
    expect(c).toEqual(b);
    expect(b.total).toBeCloseTo(a.total, 5);
    a.grads.forEach((g, i) => {
      const scale = Math.max(1e-6, ...g.map(Math.abs));
      for (const [j, v] of g.entries()) expect(Math.abs(b.grads[i]![j]! - v) / scale).toBeLessThan(1e-5);
    });
  });

  it('an RL² run with --workers 2 gives identical results twice', async () => {
    const train = async () => {
      const trainer = new Rl2Trainer({
        config: {
          env: 'bandit',
          episodes: 5,
          hidden: 8,
          batch: 16,
          minibatches: 2,
          iterations: 3,
          workers: 2,
          evalEvery: 3,
          evalTrials: 20,
        },
        events: { emit: () => {} },
      });
      await trainer.train();
      const weights = (await trainer.policy.weightValues()).map((w) => Array.from(w.values));
      trainer.dispose();
      return weights;
    };
    expect(await train()).toEqual(await train());
  });
});
