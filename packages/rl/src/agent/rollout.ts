import { Categorical, gumbelMax, type Rng, readTensors } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { Env } from '../env/env.js';
import type { GruPolicy } from './gru-policy.js';
import { type Rl2InputExtras, Rl2InputStream } from './rl2-input.js';

/** A batch of complete trials, time-major (`[T][batch]`), as PPO consumes them. */
export interface Rollout {
  batch: number;
  steps: number;
  inputSize: number;
  /** RL² inputs per step, `[batch × inputSize]`. */
  inputs: Float32Array[];
  actions: Int32Array[];
  rewards: Float32Array[];
  logProbs: Float32Array[];
  values: Float32Array[];
  /** Total reward of each trial. */
  totals: Float64Array;
}

/**
 * Runs `batch` trials of `episodes` episodes with the RL² agent. The GRU state starts at zero for
 * each trial and is carried, unreset, across the trial's episode boundaries. Actions are sampled
 * with @metagrad/core's Gumbel-max sampler from `rng`.
 */
export async function collectTrials(
  policy: GruPolicy,
  env: Env,
  options: {
    batch: number;
    episodes: number;
    taskRng: Rng;
    actionRng: Rng;
    outcomeRng: Rng;
    /** What the policy's inputs hold beyond the paper's (its network must have been built for them). */
    inputs?: Rl2InputExtras;
  },
): Promise<Rollout> {
  const { batch, episodes } = options;
  const tasks = env.sampleTasks(options.taskRng, batch);
  const inputs = new Rl2InputStream(env, batch, options.inputs);
  const inputSize = inputs.size;
  const rollout: Rollout = {
    batch,
    steps: episodes * env.episodeLength,
    inputSize,
    inputs: [],
    actions: [],
    rewards: [],
    logProbs: [],
    values: [],
    totals: new Float64Array(batch),
  };
  let hidden = policy.initialState(batch);
  let observations = tasks.reset();
  for (let e = 0; e < episodes; e++) {
    for (let t = 0; t < env.episodeLength; t++) {
      const input = inputs.next(observations);
      const out = tf.tidy(() => {
        const step = policy.step(tf.tensor2d(input, [batch, inputSize]), hidden, false);
        const actions = gumbelMax(step.logits, options.actionRng);
        const logProbs = new Categorical(step.logits).logProb(actions);
        return { hidden: step.hidden, actions, logProbs, value: step.value };
      });
      hidden.dispose();
      hidden = out.hidden;
      // One read a step: the environment steps on the host.
      const [actionValues, logProbs, values] = await readTensors([out.actions, out.logProbs, out.value]);
      tf.dispose([out.actions, out.logProbs, out.value]);
      const actions = Int32Array.from(actionValues!);
      const result = tasks.step(actions, options.outcomeRng);
      rollout.inputs.push(input);
      rollout.actions.push(actions);
      rollout.rewards.push(result.rewards);
      rollout.logProbs.push(logProbs!);
      rollout.values.push(values!);
      for (let i = 0; i < batch; i++) rollout.totals[i]! += result.rewards[i]!;
      inputs.observe(actions, result);
      observations = result.observations;
    }
  }
  hidden.dispose();
  return rollout;
}
