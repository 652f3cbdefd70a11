import * as tf from '@tensorflow/tfjs';
import { fusedPpoHeadLoss, type HeadWeights, ppoHeadLoss } from '../ops/ppo-head-loss.js';
import type { GruPolicy } from './gru-policy.js';
import { type PpoLossGradients, type PpoMinibatch, type PpoSettings, ppoLossGradients } from './ppo.js';

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
 * ({@link ppoLossGradients}).
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
    let sums: Pick<PpoLossGradients, 'policySum' | 'valueSum' | 'entropySum'> | undefined;
    // The loss of the chosen heads, with its closed-form gradient in the logits and the values.
    const loss = tf.customGrad((logits, values, save) => {
      const terms = ppoLossGradients(
        logits as tf.Tensor2D,
        values as tf.Tensor1D,
        actions,
        oldLogProbs,
        advantages,
        returns,
        settings,
        1 / count,
      );
      sums = {
        policySum: tf.keep(terms.policySum),
        valueSum: tf.keep(terms.valueSum),
        entropySum: tf.keep(terms.entropySum),
      };
      (save as tf.GradSaveFunc)([
        heads.policy ? terms.dLogits : tf.zerosLike(terms.dLogits),
        heads.value ? tf.reshape(terms.dValues, [-1]) : tf.zeros([count]),
      ]);
      return {
        // The reported total (all three terms); the gradient is that of the chosen heads' terms.
        value: tf.div(
          tf.addN([
            terms.policySum,
            tf.mul(terms.valueSum, settings.valueCoefficient),
            tf.mul(terms.entropySum, -settings.entropyCoefficient),
          ]),
          count,
        ),
        gradFunc: (dy, saved) => saved.map((d) => tf.mul(dy as tf.Tensor, d)),
      };
    });
    const { value: total, grads } = tf.variableGrads(() => {
      const features = policy.features(inputs);
      if (features.length === 1 && fusedPpoHeadLoss(policy.kernels)) {
        // Both heads and the loss in one kernel, with their gradient.
        const { clip, valueCoefficient, entropyCoefficient } = settings;
        const targets = { actions, oldLogProbs, advantages, returns };
        const fused = ppoHeadLoss(features[0]!, policy.weights as unknown as HeadWeights, targets, {
          clip,
          valueCoefficient,
          entropyCoefficient,
          scale: 1 / count,
          policy: heads.policy,
          value: heads.value,
        });
        const [policySum, valueSum, entropySum] = tf.unstack(fused.sums) as tf.Scalar[];
        sums = {
          policySum: tf.keep(policySum!),
          valueSum: tf.keep(valueSum!),
          entropySum: tf.keep(entropySum!),
        };
        tf.dispose(fused.sums);
        return fused.total;
      }
      return loss(policy.policyHead(features), policy.valueHead(features)) as tf.Scalar;
    }, policy.variables);
    const { policySum, valueSum, entropySum } = sums!;
    const policyLoss = tf.div(policySum, count) as tf.Scalar;
    const valueLoss = tf.div(valueSum, count) as tf.Scalar;
    const entropy = tf.div(entropySum, count) as tf.Scalar;
    tf.dispose([policySum, valueSum, entropySum]);
    return { total, policy: policyLoss, value: valueLoss, entropy, grads };
  });
}
