import type { Rng, WorkerPool } from '@metagrad/core';
import type { GruPolicy } from './gru-policy.js';
import type { PpoHeads } from './ppo-gradients.js';
import { PpoUpdate } from './ppo-update.js';
import type { Rl2Config } from './rl2-config.js';
import type { Rollout } from './rollout.js';
import { TrpoUpdate } from './trpo-update.js';

/** One iteration's batch as a policy update sees it. */
export interface PolicyUpdateBatch {
  policy: GruPolicy;
  rollout: Rollout;
  /** Standardised advantages, `[T][batch]`. */
  advantages: Float32Array[];
  /** The update's own random stream for this iteration. */
  rng: Rng;
  config: Rl2Config;
}

/**
 * How an RL² iteration moves the policy. The trainer does the rest the same way for every update:
 * rollouts, advantages, value normalisation and the Adam minibatch epochs over whatever networks
 * {@link adamTrained} names (clipped per network).
 */
export interface PolicyUpdate {
  /**
   * The networks Adam trains over the minibatch epochs, with the loss terms each trains on: under
   * PPO the policy itself; under TRPO only the value network, since the policy moves by its step.
   */
  adamTrained(policy: GruPolicy, critic: GruPolicy | undefined): { network: GruPolicy; heads: PpoHeads }[];
  /** The policy's own step before the minibatch epochs (none for PPO); its statistics. */
  policyStep(batch: PolicyUpdateBatch): Promise<Record<string, number>>;
}

/** The update `config.algorithm` names, sharing the trainer's gradient workers. */
export function policyUpdateFor(algorithm: Rl2Config['algorithm'], pool: WorkerPool): PolicyUpdate {
  return algorithm === 'trpo' ? new TrpoUpdate(pool) : new PpoUpdate();
}
