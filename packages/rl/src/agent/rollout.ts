import {
  Categorical,
  categoricalLogProbRows,
  gumbelMax,
  gumbelMaxRows,
  type Rng,
  readTensors,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { Env } from '../env/env.js';
import type { GruPolicy } from './gru-policy.js';
import { HostPolicyStep } from './host-policy-step.js';
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
 * by Gumbel-max from `actionRng`. With the fused kernels the policy steps on the host (about twice
 * as fast as stepping its tensors, with the same actions).
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
    /**
     * Step the policy on the host where the fused kernels apply ({@link HostPolicyStep}); default
     * true. False steps its tensors, one tfjs call per op and one read per step, as a reference.
     */
    hostStep?: boolean;
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
  const host = options.hostStep === false ? undefined : await hostActor(policy, batch, options.actionRng);
  const act = host ?? tensorActor(policy, batch, options.actionRng);
  let observations = tasks.reset();
  try {
    for (let e = 0; e < episodes; e++) {
      for (let t = 0; t < env.episodeLength; t++) {
        const input = inputs.next(observations);
        const { actions, logProbs, values } = await act.step(input);
        const result = tasks.step(actions, options.outcomeRng);
        rollout.inputs.push(input);
        rollout.actions.push(actions);
        rollout.rewards.push(result.rewards);
        rollout.logProbs.push(logProbs);
        rollout.values.push(values);
        for (let i = 0; i < batch; i++) rollout.totals[i]! += result.rewards[i]!;
        inputs.observe(actions, result);
        observations = result.observations;
      }
    }
  } finally {
    act.dispose();
  }
  return rollout;
}

/** What the loop needs of the policy each step: sampled actions, their log-probabilities and the values. */
interface Actor {
  step(input: Float32Array): Promise<{ actions: Int32Array; logProbs: Float32Array; values: Float32Array }>;
  dispose(): void;
}

/** The policy stepped on the host with the fused kernels, where they apply (see {@link HostPolicyStep}). */
async function hostActor(policy: GruPolicy, batch: number, rng: Rng): Promise<Actor | undefined> {
  const host = await HostPolicyStep.start(policy, batch);
  if (!host) return undefined;
  const a = policy.shape.actions;
  return {
    step: async (input) => {
      const { logits, values } = host.step(input);
      const actions = gumbelMaxRows(logits, batch, a, rng);
      return { actions, logProbs: categoricalLogProbRows(logits, batch, a, actions), values };
    },
    dispose: () => {},
  };
}

/** The policy stepped with tensor ops, one read a step: the environment steps on the host. */
function tensorActor(policy: GruPolicy, batch: number, rng: Rng): Actor {
  let hidden = policy.initialState(batch);
  return {
    step: async (input) => {
      const out = tf.tidy(() => {
        const step = policy.step(tf.tensor2d(input, [batch, input.length / batch]), hidden, false);
        const actions = gumbelMax(step.logits, rng);
        const logProbs = new Categorical(step.logits).logProb(actions);
        return { hidden: step.hidden, actions, logProbs, value: step.value };
      });
      hidden.dispose();
      hidden = out.hidden;
      const [actions, logProbs, values] = await readTensors([out.actions, out.logProbs, out.value]);
      tf.dispose([out.actions, out.logProbs, out.value]);
      return { actions: Int32Array.from(actions!), logProbs: logProbs!, values: values! };
    },
    dispose: () => hidden.dispose(),
  };
}
