import type { GruPolicy } from './gru-policy.js';
import type { PolicyUpdate } from './policy-update.js';
import type { PpoHeads } from './ppo-gradients.js';

/**
 * PPO (Schulman et al. 2017): the policy moves only by the Adam minibatch epochs on the clipped
 * surrogate and entropy bonus; a shared network also trains its value head there, a separate value
 * network trains on the value loss alone.
 */
export class PpoUpdate implements PolicyUpdate {
  adamTrained(policy: GruPolicy, critic: GruPolicy | undefined): { network: GruPolicy; heads: PpoHeads }[] {
    return critic
      ? [
          { network: policy, heads: { policy: true, value: false } },
          { network: critic, heads: { policy: false, value: true } },
        ]
      : [{ network: policy, heads: { policy: true, value: true } }];
  }

  async policyStep(): Promise<Record<string, number>> {
    return {};
  }
}
