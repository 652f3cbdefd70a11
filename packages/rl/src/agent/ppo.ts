import * as tf from '@tensorflow/tfjs';
import type { GruPolicy } from './gru-policy.js';
import type { Rollout } from './rollout.js';

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
 * PPO's clipped surrogate (Schulman et al. 2017):
 * L = −mean(min(ρA, clip(ρ, 1 ± ε)A)) + c_v·mean((V − R)²) − c_e·mean(H[π]), with ρ = π/π_old.
 * `logits` is `[..., A]` and the other tensors have its leading shape (e.g. `[T, B, A]` and
 * `[T, B]`). Exposed separately so tests can check it against hand-computed values.
 */
export function ppoLosses(
  logits: tf.Tensor,
  values: tf.Tensor,
  actions: tf.Tensor,
  oldLogProbs: tf.Tensor,
  advantages: tf.Tensor,
  returns: tf.Tensor,
  settings: PpoSettings,
): PpoLosses {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits);
    const oneHot = tf.oneHot(actions.asType('int32'), logits.shape[logits.rank - 1]!).asType('float32');
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

/** {@link ppoLosses} (sums, see below) with its gradient in the logits and the values. */
export interface PpoLossGradients {
  /** Σ over rows of the clipped-surrogate, squared-error and entropy terms. */
  policySum: tf.Scalar;
  valueSum: tf.Scalar;
  entropySum: tf.Scalar;
  /** ∂(loss · scale)/∂logits, `[B, A]`. */
  dLogits: tf.Tensor2D;
  /** ∂(loss · scale)/∂values, `[B, 1]`. */
  dValues: tf.Tensor2D;
}

/**
 * Closed-form gradient of the per-row PPO loss
 * ℓ = −min(ρA, clip(ρ)A) + c_v(V − R)² − c_e·H[π], summed over rows and multiplied by `scale`:
 * ∂ℓ/∂logits = −A·ρ·[ρA ≤ clip(ρ)A]·(onehot − π) + c_e·π ⊙ (log π + H), ∂ℓ/∂V = 2c_v(V − R).
 * The indicator is where tfjs's autodiff of `minimum`/`clipByValue` passes the gradient, so the
 * result equals autodiff of {@link ppoLosses} (tested) at a fraction of the ops.
 */
export function ppoLossGradients(
  logits: tf.Tensor2D,
  values: tf.Tensor1D,
  actions: tf.Tensor1D,
  oldLogProbs: tf.Tensor1D,
  advantages: tf.Tensor1D,
  returns: tf.Tensor1D,
  settings: PpoSettings,
  scale: number,
): PpoLossGradients {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits);
    const probs = tf.exp(logP);
    const oneHot = tf.oneHot(actions.asType('int32'), logits.shape[1]).asType('float32');
    const ratio = tf.exp(tf.sub(tf.sum(tf.mul(oneHot, logP), -1), oldLogProbs));
    const unclipped = tf.mul(ratio, advantages);
    const clipped = tf.mul(tf.clipByValue(ratio, 1 - settings.clip, 1 + settings.clip), advantages);
    const rowEntropy = tf.neg(tf.sum(tf.mul(probs, logP), -1, true));
    const valueError = tf.sub(values, returns);
    // ∂ℓ/∂log π(a): the surrogate's gradient flows only where the unclipped term is the minimum.
    const dLogProb = tf.mul(tf.neg(unclipped), tf.cast(tf.lessEqual(unclipped, clipped), 'float32'));
    const dLogits = tf.add(
      tf.mul(tf.reshape(dLogProb, [-1, 1]), tf.sub(oneHot, probs)),
      tf.mul(tf.mul(probs, tf.add(logP, rowEntropy)), settings.entropyCoefficient),
    );
    return {
      policySum: tf.neg(tf.sum(tf.minimum(unclipped, clipped))) as tf.Scalar,
      valueSum: tf.sum(tf.square(valueError)) as tf.Scalar,
      entropySum: tf.sum(rowEntropy) as tf.Scalar,
      dLogits: tf.mul(dLogits, scale) as tf.Tensor2D,
      dValues: tf.reshape(tf.mul(valueError, 2 * settings.valueCoefficient * scale), [-1, 1]) as tf.Tensor2D,
    };
  });
}

/** A minibatch of whole trials, time-major: inputs `[T, B, I]`, the rest `[T·B]` (step t's trials at t·B…). */
export interface PpoMinibatch {
  inputs: tf.Tensor3D;
  actions: tf.Tensor1D;
  oldLogProbs: tf.Tensor1D;
  advantages: tf.Tensor1D;
  returns: tf.Tensor1D;
}

/**
 * A minibatch of whole trials as plain time-major arrays: inputs `[T·B·I]`, the rest `[T·B]`. This
 * is what crosses to a gradient worker.
 */
export interface PpoMinibatchData {
  steps: number;
  batch: number;
  inputSize: number;
  inputs: Float32Array;
  actions: Float32Array;
  oldLogProbs: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
}

/** The chosen trials of a rollout as plain arrays. */
export function selectTrialData(
  rollout: Rollout,
  trials: number[],
  advantages: Float32Array[],
  returns: Float32Array[],
): PpoMinibatchData {
  const b = trials.length;
  const steps = rollout.inputs.length;
  // Runs of consecutive trials are contiguous in each step's row: one copy per run.
  const runs: [start: number, length: number][] = [];
  for (let k = 0; k < b; ) {
    let end = k + 1;
    while (end < b && trials[end] === trials[end - 1]! + 1) end++;
    runs.push([k, end - k]);
    k = end;
  }
  const pick = (rows: (Float32Array | Int32Array)[], width: number) => {
    const out = new Float32Array(steps * b * width);
    rows.forEach((row, t) => {
      for (const [k, length] of runs) {
        const from = trials[k]! * width;
        out.set(row.subarray(from, from + length * width), (t * b + k) * width);
      }
    });
    return out;
  };
  return {
    steps,
    batch: b,
    inputSize: rollout.inputSize,
    inputs: pick(rollout.inputs, rollout.inputSize),
    actions: pick(rollout.actions, 1),
    oldLogProbs: pick(rollout.logProbs, 1),
    advantages: pick(advantages, 1),
    returns: pick(returns, 1),
  };
}

/** The tensors of a minibatch given as arrays (five uploads). */
export function minibatchTensors(data: PpoMinibatchData): PpoMinibatch {
  const { steps, batch, inputSize } = data;
  return {
    inputs: tf.tensor3d(data.inputs, [steps, batch, inputSize]),
    actions: tf.tensor1d(data.actions),
    oldLogProbs: tf.tensor1d(data.oldLogProbs),
    advantages: tf.tensor1d(data.advantages),
    returns: tf.tensor1d(data.returns),
  };
}

/** The chosen trials of a rollout as a PPO minibatch. */
export function selectTrials(
  rollout: Rollout,
  trials: number[],
  advantages: Float32Array[],
  returns: Float32Array[],
): PpoMinibatch {
  return minibatchTensors(selectTrialData(rollout, trials, advantages, returns));
}

/**
 * Re-runs the GRU over whole trials (backpropagation through time over the trial): one `[B, I]`
 * input per step → per-step logits `[B, A]` and values `[B]`. Differentiable in the weights.
 */
export function unrollPolicy(
  policy: GruPolicy,
  inputs: tf.Tensor2D[],
): { logits: tf.Tensor2D[]; values: tf.Tensor1D[] } {
  return policy.unroll(inputs);
}

/**
 * PPO losses of a minibatch of whole trials: the GRU re-runs from a zero state over every step
 * (backpropagation through the trial), and each term is averaged over all steps and trials.
 * Differentiable in the weights by tfjs autodiff: the reference {@link ppoGradients} is tested against.
 */
export function ppoTrialLosses(policy: GruPolicy, minibatch: PpoMinibatch, settings: PpoSettings): PpoLosses {
  return tf.tidy(() => {
    const features = policy.features(minibatch.inputs);
    return ppoLosses(
      policy.policyHead(features),
      policy.valueHead(features),
      minibatch.actions,
      minibatch.oldLogProbs,
      minibatch.advantages,
      minibatch.returns,
      settings,
    ) as unknown as tf.TensorContainer;
  }) as unknown as PpoLosses;
}
