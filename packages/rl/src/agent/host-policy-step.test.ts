import { Categorical, gumbelMax, Rng, readTensors } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { BernoulliBandit } from '../env/bandit.js';
import { TabularMdp } from '../env/tabular-mdp.js';
import { GruPolicy, type GruPolicyShape } from './gru-policy.js';
import { HostPolicyStep } from './host-policy-step.js';
import { Rl2InputStream, rl2InputSize } from './rl2-input.js';
import { collectTrials } from './rollout.js';

/** The largest |a − b| over the arrays, relative to the reference's largest magnitude. */
function scaledError(a: Float32Array, b: Float32Array): number {
  const scale = Math.max(1e-6, ...Array.from(b, Math.abs));
  let worst = 0;
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  return worst;
}

describe('the policy step on the host', () => {
  const cases: (GruPolicyShape & { batch: number })[] = [
    { batch: 1, inputSize: 4, hidden: 3, actions: 2 },
    { batch: 7, inputSize: 9, hidden: 20, actions: 5, embedding: 6 },
    { batch: 130, inputSize: 12, hidden: 64, actions: 5 },
  ];
  for (const { batch, ...shape } of cases) {
    it(`steps as the fused tensor step does (B = ${batch}, H = ${shape.hidden}, embedding ${shape.embedding ?? 0})`, async () => {
      const policy = new GruPolicy(shape, new Rng('host-step'));
      policy.kernels = 'fused';
      const host = (await HostPolicyStep.start(policy, batch))!;
      let state = policy.initialState(batch);
      const rng = new Rng('inputs');
      for (let t = 0; t < 4; t++) {
        const input = rng.child(t).uniformArray(batch * shape.inputSize);
        const out = host.step(input);
        const reference = policy.step(tf.tensor2d(input, [batch, shape.inputSize]), state, false);
        const [hidden, logits, values] = await readTensors([
          reference.hidden,
          reference.logits,
          reference.value,
        ]);
        // The same kernel calls in the same order: the same bits.
        expect(Array.from(host.hidden)).toEqual(Array.from(hidden!));
        // The heads sum in another order than tfjs's matMul: float32 rounding only.
        expect(scaledError(out.logits, logits!)).toBeLessThan(1e-6);
        expect(scaledError(out.values, values!)).toBeLessThan(1e-6);
        tf.dispose([state, reference.logits, reference.value]);
        state = reference.hidden;
      }
      state.dispose();
      policy.dispose();
    });
  }

  it('applies only where the fused kernels run the whole step', () => {
    const shape = { inputSize: 4, hidden: 3, actions: 2 };
    const policy = new GruPolicy(shape, new Rng(1));
    expect(HostPolicyStep.applies(policy)).toBe(true);
    policy.kernels = 'composite';
    expect(HostPolicyStep.applies(policy)).toBe(false);
    const layerNorm = new GruPolicy({ ...shape, cell: 'layer-norm-relu' }, new Rng(1));
    const memory = new GruPolicy({ ...shape, memory: { slots: 2, heads: 1, width: 2 } }, new Rng(1));
    expect(HostPolicyStep.applies(layerNorm)).toBe(false);
    expect(HostPolicyStep.applies(memory)).toBe(false);
    for (const p of [policy, layerNorm, memory]) p.dispose();
  });

  for (const env of [new BernoulliBandit(5), new TabularMdp()]) {
    it(`collects the trials that stepping the tensors collects (${env.name})`, async () => {
      const batch = 33;
      const episodes = 3;
      const policy = new GruPolicy(
        { inputSize: rl2InputSize(env.observationSize, env.numActions), hidden: 16, actions: env.numActions },
        new Rng('rollout'),
      );
      const seeds = new Rng('trials');
      const rollout = await collectTrials(policy, env, {
        batch,
        episodes,
        taskRng: seeds.child('t'),
        actionRng: seeds.child('a'),
        outcomeRng: seeds.child('o'),
      });
      // The reference: the policy's tensor step, Gumbel-max and log-probabilities on tensors.
      const tasks = env.sampleTasks(seeds.child('t'), batch);
      const inputs = new Rl2InputStream(env, batch);
      const actionRng = seeds.child('a');
      const outcomeRng = seeds.child('o');
      let hidden = policy.initialState(batch);
      let observations = tasks.reset();
      for (let t = 0; t < episodes * env.episodeLength; t++) {
        const input = inputs.next(observations);
        const step = policy.step(tf.tensor2d(input, [batch, inputs.size]), hidden, false);
        const actions = gumbelMax(step.logits, actionRng);
        const logProbs = new Categorical(step.logits).logProb(actions);
        const [a, lp, v] = await readTensors([actions, logProbs, step.value]);
        expect(Array.from(rollout.actions[t]!)).toEqual(Array.from(a!));
        expect(scaledError(rollout.logProbs[t]!, lp!)).toBeLessThan(1e-6);
        expect(scaledError(rollout.values[t]!, v!)).toBeLessThan(1e-6);
        const result = tasks.step(Int32Array.from(a!), outcomeRng);
        inputs.observe(Int32Array.from(a!), result);
        observations = result.observations;
        tf.dispose([hidden, step.logits, step.value, actions, logProbs]);
        hidden = step.hidden;
      }
      hidden.dispose();
      policy.dispose();
    });
  }
});
