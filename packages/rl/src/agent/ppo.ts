import * as tf from '@tensorflow/tfjs';
import type { GruPolicy } from './gru-policy.js';

/** PPO hyperparameters. */
export interface PpoSettings {
  clip: number;
  valueCoefficient: number;
  entropyCoefficient: number;
}

/** The three PPO loss terms and their weighted total. */
export interface PpoLosses {
  total: tf.Scalar;
  policy: tf.Scalar;
  value: tf.Scalar;
  entropy: tf.Scalar;
}

/**
 * PPO's clipped surrogate (Schulman et al. 2017) on time-major tensors `[T, B]`:
 * L = −mean(min(ρA, clip(ρ, 1 ± ε)A)) + c_v·mean((V − R)²) − c_e·mean(H[π]), with ρ = π/π_old.
 * `logits` is `[T, B, A]`. Exposed separately so tests can check it against hand-computed values.
 */
export function ppoLosses(
  logits: tf.Tensor3D,
  values: tf.Tensor2D,
  actions: tf.Tensor2D,
  oldLogProbs: tf.Tensor2D,
  advantages: tf.Tensor2D,
  returns: tf.Tensor2D,
  settings: PpoSettings,
): PpoLosses {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits);
    const oneHot = tf.oneHot(actions.asType('int32'), logits.shape[2]).asType('float32');
    const newLogProbs = tf.sum(tf.mul(oneHot, logP), -1);
    const ratio = tf.exp(tf.sub(newLogProbs, oldLogProbs));
    const unclipped = tf.mul(ratio, advantages);
    const clipped = tf.mul(tf.clipByValue(ratio, 1 - settings.clip, 1 + settings.clip), advantages);
    const policy = tf.neg(tf.mean(tf.minimum(unclipped, clipped))) as tf.Scalar;
    const value = tf.mean(tf.square(tf.sub(values, returns))) as tf.Scalar;
    const entropy = tf.mean(tf.neg(tf.sum(tf.mul(tf.exp(logP), logP), -1))) as tf.Scalar;
    const total = tf.add(
      tf.add(policy, tf.mul(value, settings.valueCoefficient)),
      tf.mul(entropy, -settings.entropyCoefficient),
    ) as tf.Scalar;
    return { total, policy, value, entropy };
  });
}

/**
 * Re-runs the GRU over whole trials (backpropagation through time over the trial) and returns
 * logits `[T, B, A]` and values `[T, B]`. Differentiable in the policy's weights.
 */
export function unrollPolicy(
  policy: GruPolicy,
  inputs: tf.Tensor3D,
): { logits: tf.Tensor3D; values: tf.Tensor2D } {
  const steps = tf.unstack(inputs) as tf.Tensor2D[];
  let hidden = policy.initialState(inputs.shape[1]);
  const logits: tf.Tensor2D[] = [];
  const values: tf.Tensor1D[] = [];
  for (const x of steps) {
    const out = policy.step(x, hidden);
    hidden = out.hidden;
    logits.push(out.logits);
    values.push(out.value);
  }
  return { logits: tf.stack(logits) as tf.Tensor3D, values: tf.stack(values) as tf.Tensor2D };
}
