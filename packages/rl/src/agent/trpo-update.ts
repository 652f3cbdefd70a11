import { ConfigError, type Rng, type WorkerPool } from '@metagrad/core';
import { TrpoRunner } from '../parallel/trpo-runner.js';
import type { GruPolicy } from './gru-policy.js';
import type { PolicyUpdate, PolicyUpdateBatch } from './policy-update.js';
import type { PpoHeads } from './ppo-gradients.js';

/**
 * TRPO (Schulman et al. 2015), the paper's update through rllab: one natural-gradient step of the
 * policy per iteration in a KL trust region (conjugate gradient on Fisher-vector products over a
 * sampled fraction of the trials, then a backtracking line search), with no entropy bonus; Adam
 * then fits the separate value network over the minibatch epochs.
 */
export class TrpoUpdate implements PolicyUpdate {
  private readonly runner: TrpoRunner;

  constructor(pool: WorkerPool) {
    this.runner = new TrpoRunner(pool);
  }

  adamTrained(_policy: GruPolicy, critic: GruPolicy | undefined): { network: GruPolicy; heads: PpoHeads }[] {
    if (!critic) throw new ConfigError('valueNetwork', 'shared', 'trpo fits a separate value network');
    return [{ network: critic, heads: { policy: false, value: true } }];
  }

  async policyStep({
    policy,
    rollout,
    advantages,
    rng,
    config,
  }: PolicyUpdateBatch): Promise<Record<string, number>> {
    const fisherTrials = sampleTrials(rollout.batch, config.fisherFraction, rng.child('fisher'));
    const step = await this.runner.step(policy, { rollout, advantages, fisherTrials }, config);
    return {
      policyLoss: -step.surrogateGain,
      entropy: step.entropy,
      kl: step.kl,
      stepAccepted: step.accepted ? 1 : 0,
      backtracks: step.backtracks,
      cgResidual: step.cgResidual,
    };
  }
}

/** ⌈fraction · batch⌉ distinct trial indices, drawn without replacement, in increasing order. */
function sampleTrials(batch: number, fraction: number, rng: Rng): number[] | undefined {
  const count = Math.ceil(fraction * batch);
  if (count >= batch) return undefined;
  const order = Array.from({ length: batch }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(batch - i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, count).sort((a, b) => a - b);
}
