import { Rng } from '@metagrad/core';
import { type Env, GruPolicy, rl2InputSize } from '@metagrad/rl';

/** Trials per batch in the RL workloads. */
export const BATCH = 128;
/** The agents' GRU units. */
export const HIDDEN = 64;

/** The benchmarks' RL² agent for `env`, with fixed weights. */
export function policyFor(env: Env): GruPolicy {
  return new GruPolicy(
    { inputSize: rl2InputSize(env.observationSize, env.numActions), hidden: HIDDEN, actions: env.numActions },
    new Rng('bench'),
  );
}
