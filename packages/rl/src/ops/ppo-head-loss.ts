import { type KernelChoice, resolveKernels } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { ppoLossGradients } from '../agent/ppo.js';
import { PPO_HEAD_LOSS, type PpoHeadLossAttrs } from './ppo-head-loss-kernel.js';

/** The two heads' weights: policy `[H, A]` and `[A]`, value `[H, 1]` and `[1]`. */
export interface HeadWeights {
  policyW: tf.Tensor2D;
  policyB: tf.Tensor1D;
  valueW: tf.Tensor2D;
  valueB: tf.Tensor1D;
}

/** Per-row targets of the loss, `[R]` each (actions as float32 indices). */
export interface PpoTargets {
  actions: tf.Tensor1D;
  oldLogProbs: tf.Tensor1D;
  advantages: tf.Tensor1D;
  returns: tf.Tensor1D;
}

/** The PPO loss over rows: `total` differentiable, `sums` `[3]` of −surrogate, squared value error and entropy. */
export interface PpoRowLoss {
  total: tf.Scalar;
  sums: tf.Tensor1D;
}

/** Whether `kernels` runs the heads and the PPO loss as one fused kernel on the active backend. */
export function fusedPpoHeadLoss(kernels: KernelChoice): boolean {
  return resolveKernels(kernels, tf.getBackend(), PPO_HEAD_LOSS) === 'fused';
}

/**
 * The PPO loss of both heads over the features `[R, H]`, as one kernel that also computes its
 * gradient in the features and the heads' weights (on tfjs ops, the logits, log-softmax, surrogate,
 * entropy and value error take about forty ops, with two products each way).
 * `total` = (−surrogate + c_v·error² − c_e·entropy)/rows summed over rows, differentiable (its
 * gradient is the kernel's, for the terms `attrs.policy` and `attrs.value` choose); `sums` `[3]`
 * holds the three terms' sums over rows. Fused kernels only ({@link fusedPpoHeadLoss}).
 */
export function ppoHeadLoss(
  features: tf.Tensor2D,
  weights: HeadWeights,
  targets: PpoTargets,
  attrs: PpoHeadLossAttrs,
): PpoRowLoss {
  let sums: tf.Tensor1D | undefined;
  const loss = tf.customGrad((f, policyW, policyB, valueW, valueB, save) => {
    const inputs = { features: f, policyW, policyB, valueW, valueB } as tf.NamedTensorMap;
    const [termSums, ...grads] = tf
      .engine()
      .runKernel(
        PPO_HEAD_LOSS,
        { ...inputs, ...targets },
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
    sums = tf.keep(termSums as tf.Tensor1D);
    (save as tf.GradSaveFunc)(grads);
    const coefficients = tf.tensor1d([1, attrs.valueCoefficient, -attrs.entropyCoefficient]);
    return {
      value: tf.mul(tf.sum(tf.mul(termSums!, coefficients)), attrs.scale),
      gradFunc: (dy, saved) => saved.map((g) => tf.mul(dy as tf.Tensor, g)),
    };
  });
  const total = loss(features, weights.policyW, weights.policyB, weights.valueW, weights.valueB) as tf.Scalar;
  return { total, sums: sums! };
}

/**
 * The loss {@link ppoHeadLoss} computes, from the heads' outputs — logits `[R, A]` and values `[R]`
 * — on tfjs ops ({@link ppoLossGradients}), entering the tape with its closed-form gradient in them:
 * every backend, and heads that read several blocks of features (a slot memory's beside the GRU's).
 */
export function ppoLossOfHeadOutputs(
  logits: tf.Tensor2D,
  values: tf.Tensor1D,
  targets: PpoTargets,
  attrs: PpoHeadLossAttrs,
): PpoRowLoss {
  const rows = values.shape[0];
  let sums: tf.Tensor1D | undefined;
  const loss = tf.customGrad((l, v, save) => {
    const { actions, oldLogProbs, advantages, returns } = targets;
    const terms = ppoLossGradients(
      l as tf.Tensor2D,
      v as tf.Tensor1D,
      actions,
      oldLogProbs,
      advantages,
      returns,
      attrs,
      attrs.scale,
    );
    sums = tf.keep(tf.stack([terms.policySum, terms.valueSum, terms.entropySum]) as tf.Tensor1D);
    (save as tf.GradSaveFunc)([
      attrs.policy ? terms.dLogits : tf.zerosLike(terms.dLogits),
      attrs.value ? tf.reshape(terms.dValues, [-1]) : tf.zeros([rows]),
    ]);
    return {
      // The reported total (all three terms); the gradient is that of the chosen heads' terms.
      value: tf.div(
        tf.addN([
          terms.policySum,
          tf.mul(terms.valueSum, attrs.valueCoefficient),
          tf.mul(terms.entropySum, -attrs.entropyCoefficient),
        ]),
        rows,
      ),
      gradFunc: (dy, saved) => saved.map((d) => tf.mul(dy as tf.Tensor, d)),
    };
  });
  const total = loss(logits, values) as tf.Scalar;
  return { total, sums: sums! };
}
