import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BernoulliBandit } from '../env/bandit.js';
import { TabularMdp } from '../env/tabular-mdp.js';
import { GruPolicy } from './gru-policy.js';
import { ppoLosses, selectTrialData, unrollPolicy } from './ppo.js';
import { rl2InputSize } from './rl2-input.js';
import type { Rollout } from './rollout.js';
import { collectTrials } from './rollout.js';

describe('PPO losses', () => {
  it('match hand-computed values', () => {
    // T = 1, B = 2, A = 2.
    const logits = tf.tensor3d([
      [
        [0, Math.log(3)],
        [Math.log(2), 0],
      ],
    ]); // π = [1/4, 3/4], [2/3, 1/3]
    const actions = tf.tensor2d([[1, 0]]);
    const old = tf.tensor2d([[Math.log(0.5), Math.log(0.5)]]);
    const adv = tf.tensor2d([[1, -1]]);
    const values = tf.tensor2d([[0.5, 1]]);
    const returns = tf.tensor2d([[1, 0]]);
    const l = ppoLosses(logits, values, actions, old, adv, returns, {
      clip: 0.2,
      valueCoefficient: 0.5,
      entropyCoefficient: 0.1,
    });
    // ratios 1.5 and 4/3: min(1.5·1, 1.2·1) = 1.2; min(−4/3, −1.2) = −4/3.
    const policy = -(1.2 + -4 / 3) / 2;
    const value = (0.25 + 1) / 2;
    const h = (p: number[]) => -p.reduce((a, x) => a + x * Math.log(x), 0);
    const entropy = (h([0.25, 0.75]) + h([2 / 3, 1 / 3])) / 2;
    expect(l.policy.dataSync()[0]).toBeCloseTo(policy, 5);
    expect(l.value.dataSync()[0]).toBeCloseTo(value, 5);
    expect(l.entropy.dataSync()[0]).toBeCloseTo(entropy, 5);
    expect(l.total.dataSync()[0]).toBeCloseTo(policy + 0.5 * value - 0.1 * entropy, 5);
  });
});

describe('recurrent state in trials', async () => {
  const env = new TabularMdp();
  const policy = new GruPolicy(
    { inputSize: rl2InputSize(env.observationSize, env.numActions), hidden: 16, actions: 5 },
    new Rng(1),
  );
  const rollout = await collectTrials(policy, env, {
    batch: 3,
    episodes: 3,
    taskRng: new Rng('tasks'),
    actionRng: new Rng('actions'),
    outcomeRng: new Rng('outcomes'),
  });
  const inputs = rollout.inputs.map((x) => tf.tensor2d(x, [3, rollout.inputSize]));
  const logProbsOf = (logits: tf.Tensor2D[], from: number) => {
    const lp = logits.map((l) => tf.logSoftmax(l).arraySync() as number[][]);
    return lp.map((row, t) => row.map((r, i) => r[rollout.actions[t + from]![i]!]!));
  };

  it('survives episode boundaries: replaying the whole trial from a zero state reproduces every step', () => {
    const { logits } = unrollPolicy(policy, inputs);
    const replayed = logProbsOf(logits, 0);
    rollout.logProbs.forEach((row, t) => {
      row.forEach((v, i) => {
        expect(replayed[t]![i]).toBeCloseTo(v, 4);
      });
    });
  });

  it('is not reset at an episode boundary (a reset would change the second episode)', () => {
    const secondEpisode = inputs.slice(env.episodeLength, 2 * env.episodeLength);
    const fromZero = logProbsOf(unrollPolicy(policy, secondEpisode).logits, env.episodeLength);
    const firstStep = rollout.logProbs[env.episodeLength]!;
    const differs = fromZero[0]!.some((v, i) => Math.abs(v - firstStep[i]!) > 1e-4);
    expect(differs).toBe(true);
  });

  it('resets at trial boundaries: every trial starts from the zero state', async () => {
    const again = await collectTrials(policy, env, {
      batch: 3,
      episodes: 1,
      taskRng: new Rng('tasks'),
      actionRng: new Rng('actions'),
      outcomeRng: new Rng('outcomes'),
    });
    expect(Array.from(again.logProbs[0]!)).toEqual(Array.from(rollout.logProbs[0]!));
  });

  it('bandit inputs: previous action one-hot, previous reward and the termination flag', async () => {
    const bandit = await collectTrials(
      new GruPolicy({ inputSize: 7, hidden: 4, actions: 5 }, new Rng(2)),
      new BernoulliBandit(5),
      { batch: 1, episodes: 2, taskRng: new Rng(1), actionRng: new Rng(2), outcomeRng: new Rng(3) },
    );
    expect(Array.from(bandit.inputs[0]!)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    const second = Array.from(bandit.inputs[1]!);
    expect(second.slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((a) => (a === bandit.actions[0]![0] ? 1 : 0)));
    expect(second[5]).toBe(bandit.rewards[0]![0]);
    expect(second[6]).toBe(1);
  });
});

describe('selectTrialData', () => {
  it('gathers the chosen trials of every step, in their order, whatever runs they form', () => {
    const [steps, batch, width] = [3, 7, 2];
    const value = (t: number, trial: number, j: number) => 100 * t + 10 * trial + j;
    const perStep = (w: number, f: (t: number, i: number) => number) =>
      Array.from({ length: steps }, (_, t) => Float32Array.from({ length: batch * w }, (_, i) => f(t, i)));
    const rollout = {
      batch,
      steps,
      inputSize: width,
      inputs: perStep(width, (t, i) => value(t, Math.floor(i / width), i % width)),
      actions: Array.from({ length: steps }, (_, t) => Int32Array.from({ length: batch }, (_, i) => t + i)),
      logProbs: perStep(1, (t, i) => -(t + i)),
    } as unknown as Rollout;
    const advantages = perStep(1, (t, i) => t * i);
    const returns = perStep(1, (t, i) => t - i);
    const trials = [4, 5, 6, 0, 2, 3, 1];
    const data = selectTrialData(rollout, trials, advantages, returns);
    trials.forEach((trial, k) => {
      for (let t = 0; t < steps; t++) {
        const row = t * trials.length + k;
        expect([data.inputs[row * width], data.inputs[row * width + 1]]).toEqual([
          value(t, trial, 0),
          value(t, trial, 1),
        ]);
        expect(data.actions[row]).toBe(t + trial);
        expect(data.oldLogProbs[row]).toBe(-(t + trial));
        expect(data.advantages[row]).toBe(t * trial);
        expect(data.returns[row]).toBe(t - trial);
      }
    });
  });
});
