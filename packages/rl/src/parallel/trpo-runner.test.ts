import { Rng } from '@metagrad/core';
import { afterAll, describe, expect, it } from 'vitest';
import { trialGae } from '../agent/gae.js';
import { GruPolicy } from '../agent/gru-policy.js';
import { rl2InputSize } from '../agent/rl2-input.js';
import { Rl2Trainer } from '../agent/rl2-trainer.js';
import { collectTrials } from '../agent/rollout.js';
import { TabularMdp } from '../env/tabular-mdp.js';
import { TrpoRunner } from './trpo-runner.js';

const settings = { maxKl: 0.01, cgIterations: 8, cgDamping: 0.01, backtracks: 10, backtrackRatio: 0.8 };

describe('TRPO steps split across worker threads', async () => {
  const env = new TabularMdp();
  const shape = { inputSize: rl2InputSize(env.observationSize, env.numActions), hidden: 12, actions: 5 };
  const r = new Rng('rollout');
  const start = new GruPolicy(shape, new Rng('trpo-workers'));
  const rollout = await collectTrials(start, env, {
    batch: 11,
    episodes: 2,
    taskRng: r.child('t'),
    actionRng: r.child('a'),
    outcomeRng: r.child('o'),
  });
  const { advantages } = trialGae(rollout.rewards, rollout.values, 0.99, 0.8);
  // Fisher trials in both shards (0–5 and 6–10) and with one shard holding none.
  const cases = { spread: [1, 4, 7, 9], 'first shard only': [0, 2, 5] };
  const one = new TrpoRunner(1);
  const two = new TrpoRunner(2);
  afterAll(async () => {
    await two.dispose();
    start.dispose();
  });

  const stepWith = async (runner: TrpoRunner, fisherTrials: number[]) => {
    const policy = new GruPolicy(shape, new Rng('trpo-workers'));
    const report = await runner.step(policy, { rollout, advantages, fisherTrials }, settings);
    const weights = policy.variables.map((v) => Array.from(v.dataSync()));
    policy.dispose();
    return { report, weights };
  };

  it.each(Object.entries(cases))(
    '2 workers take the step 1 takes, up to float rounding, and repeat bit for bit (%s)',
    async (_, fisherTrials) => {
      const a = await stepWith(one, fisherTrials);
      const b = await stepWith(two, fisherTrials);
      const c = await stepWith(two, fisherTrials);
      expect(c).toEqual(b);
      expect(a.report.accepted).toBe(true);
      expect(b.report.backtracks).toBe(a.report.backtracks);
      expect(b.report.kl).toBeCloseTo(a.report.kl, 5);
      a.weights.forEach((w, i) => {
        const scale = Math.max(1e-6, ...w.map(Math.abs));
        for (const [j, v] of w.entries()) expect(Math.abs(b.weights[i]![j]! - v) / scale).toBeLessThan(1e-4);
      });
    },
  );

  it('a TRPO run with --workers 2 gives identical results twice', async () => {
    const train = async () => {
      const trainer = new Rl2Trainer({
        config: {
          algorithm: 'trpo',
          valueNetwork: 'separate',
          env: 'mdp',
          episodes: 2,
          hidden: 8,
          batch: 12,
          minibatches: 2,
          iterations: 2,
          workers: 2,
          evalEvery: 2,
          evalTrials: 10,
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
