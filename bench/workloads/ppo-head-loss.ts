import { FUSED_KERNEL_BACKENDS, Rng } from '@metagrad/core';
import {
  BernoulliBandit,
  type GruPolicy,
  type HeadWeights,
  type PpoTargets,
  ppoHeadLoss,
  ppoLossOfHeadOutputs,
} from '@metagrad/rl';
import * as tf from '@tensorflow/tfjs';
import type { Workload } from '../workload.js';
import { BATCH, HIDDEN, policyFor } from './rl-agent.js';

interface HeadLossState {
  policy: GruPolicy;
  features: tf.Tensor2D;
  targets: PpoTargets;
}

/**
 * PPO's policy and value heads and clipped-surrogate loss, forward and gradient in the features
 * and the heads' weights, over the 12,800 rows of a PPO step (128 trials × 100 steps, 64 features,
 * 5 actions): one fused kernel, or tfjs ops with the loss's closed-form gradient (`-composite`),
 * on the backends that have the kernel.
 */
function ppoHeadLossWorkload(kernels: 'auto' | 'composite', suffix = ''): Workload<HeadLossState> {
  const rows = BATCH * 100;
  return {
    name: `rl/ppo-head-loss-12800x64${suffix}`,
    backends: [...FUSED_KERNEL_BACKENDS],
    description: `PPO heads and loss with their gradient over ${rows} rows of ${HIDDEN} features (${kernels === 'auto' ? 'fused kernel' : 'tfjs ops'})`,
    setup: () => {
      const policy = policyFor(new BernoulliBandit(5));
      const r = new Rng('head-loss');
      const chosen = r.child('a');
      return {
        policy,
        features: r.child('f').normalTensor([rows, HIDDEN]) as tf.Tensor2D,
        targets: {
          actions: tf.tensor1d(Array.from({ length: rows }, () => chosen.int(5))),
          oldLogProbs: tf.fill([rows], -Math.log(5)) as tf.Tensor1D,
          advantages: r.child('adv').normalTensor([rows]) as tf.Tensor1D,
          returns: r.child('ret').normalTensor([rows]) as tf.Tensor1D,
        },
      };
    },
    run: async ({ policy, features, targets }) => {
      const weights = policy.weights as unknown as HeadWeights;
      const attrs = {
        clip: 0.2,
        valueCoefficient: 0.5,
        entropyCoefficient: 0.01,
        scale: 1 / rows,
        policy: true,
        value: true,
      };
      const { value, grads } = tf.variableGrads(() => {
        const loss =
          kernels === 'composite'
            ? ppoLossOfHeadOutputs(policy.policyHead(features), policy.valueHead(features), targets, attrs)
            : ppoHeadLoss(features, weights, targets, attrs);
        loss.sums.dispose();
        return loss.total;
      }, Object.values(weights) as tf.Variable[]);
      await value.data();
      tf.dispose([value, ...Object.values(grads)]);
    },
    teardown: ({ policy, features, targets }) => {
      policy.dispose();
      tf.dispose([features, ...Object.values(targets)]);
    },
  };
}

export const ppoHeadLossWorkloads: Workload[] = [
  ppoHeadLossWorkload('auto') as Workload,
  ppoHeadLossWorkload('composite', '-composite') as Workload,
];
