import * as tf from '@tensorflow/tfjs';
import {
  fusedPpoHeadLoss,
  type HeadWeights,
  ppoHeadLoss,
  ppoLossOfHeadOutputs,
} from '../ops/ppo-head-loss.js';
import type { GruPolicy } from './gru-policy.js';
import type { PpoMinibatch, PpoSettings } from './ppo.js';

/**
 * Which heads' losses a gradient takes. With a separate value network, the policy network learns
 * from the policy and entropy terms only and the value network from the value term only.
 */
export interface PpoHeads {
  policy: boolean;
  value: boolean;
}

/** PPO loss terms of a minibatch and their gradient in the policy's weights. */
export interface PpoGradients {
  total: tf.Scalar;
  policy: tf.Scalar;
  value: tf.Scalar;
  entropy: tf.Scalar;
  /** Keyed by variable name, like `tf.variableGrads`; zero for a head left out of `heads`. */
  grads: Record<string, tf.Tensor>;
}

/**
 * The PPO loss of a minibatch of whole trials ({@link ppoTrialLosses}) and its gradient in the
 * policy's weights, by `tf.variableGrads`: the GRU runs once over every trial as one op (the fused
 * kernel's adjoint is the backpropagation through time), the heads and the loss run once over all
 * T·B rows, and the loss enters the tape with its closed-form gradient: with fused kernels and
 * no memory, heads and loss are one kernel ({@link ppoHeadLoss}); otherwise tfjs ops
 * ({@link ppoLossOfHeadOutputs}).
 * `heads` picks the loss terms that are differentiated; all three terms are reported either way.
 */
export function ppoGradients(
  policy: GruPolicy,
  minibatch: PpoMinibatch,
  settings: PpoSettings,
  heads: PpoHeads = { policy: true, value: true },
): PpoGradients {
  return tf.tidy(() => {
    const { inputs, actions, oldLogProbs, advantages, returns } = minibatch;
    const [steps, batch] = inputs.shape;
    const count = steps * batch;
    const targets = { actions, oldLogProbs, advantages, returns };
    const { clip, valueCoefficient, entropyCoefficient } = settings;
    const attrs = { clip, valueCoefficient, entropyCoefficient, scale: 1 / count, ...heads };
    let sums: tf.Tensor1D | undefined;
    const { value: total, grads } = tf.variableGrads(() => {
      const features = policy.features(inputs);
      const loss =
        features.length === 1 && fusedPpoHeadLoss(policy.kernels)
          ? ppoHeadLoss(features[0]!, policy.weights as unknown as HeadWeights, targets, attrs)
          : ppoLossOfHeadOutputs(policy.policyHead(features), policy.valueHead(features), targets, attrs);
      sums = tf.keep(loss.sums);
      return loss.total;
    }, policy.variables);
    const [policyLoss, valueLoss, entropy] = tf.unstack(tf.div(sums!, count)) as [
      tf.Scalar,
      tf.Scalar,
      tf.Scalar,
    ];
    tf.dispose(sums);
    return { total, policy: policyLoss, value: valueLoss, entropy, grads };
  });
}
