import * as tf from '@tensorflow/tfjs';
import type { GruGates, GruPolicy } from './gru-policy.js';
import { type PpoMinibatch, type PpoSettings, ppoLossGradients } from './ppo.js';

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
 * The gradient of {@link ppoTrialLosses} by hand-written backpropagation through time. One forward
 * pass keeps the gate activations; the backward pass runs the GRU's adjoint step by step and the
 * weight gradients are one matMul each over all T·B rows. It issues about a third of the kernels
 * that tfjs autodiff does (≈14 µs of overhead each on wasm) and no transposed matMuls. Tests check
 * it against autodiff of the same losses. `heads` picks the loss terms that are differentiated (all
 * three terms are reported either way).
 */
export function ppoGradients(
  policy: GruPolicy,
  minibatch: PpoMinibatch,
  settings: PpoSettings,
  heads: PpoHeads = { policy: true, value: true },
): PpoGradients {
  return tf.tidy(() => {
    const w = policy.weights;
    const steps = minibatch.inputs.length;
    const batch = minibatch.inputs[0]!.shape[0];
    const count = steps * batch;
    // Forward, keeping what the adjoint needs.
    const previous: tf.Tensor2D[] = [];
    const gates: GruGates[] = [];
    const dLogits: tf.Tensor2D[] = [];
    const dValues: tf.Tensor2D[] = [];
    const sums: { policy: tf.Scalar[]; value: tf.Scalar[]; entropy: tf.Scalar[] } = {
      policy: [],
      value: [],
      entropy: [],
    };
    let hidden = policy.initialState(batch);
    for (let t = 0; t < steps; t++) {
      const g = policy.cell(minibatch.inputs[t]!, hidden, false);
      const loss = ppoLossGradients(
        policy.policyHead(g.next, false),
        policy.valueHead(g.next, false),
        minibatch.actions[t]!,
        minibatch.oldLogProbs[t]!,
        minibatch.advantages[t]!,
        minibatch.returns[t]!,
        settings,
        1 / count,
      );
      previous.push(hidden);
      gates.push(g);
      dLogits.push(loss.dLogits);
      dValues.push(loss.dValues);
      sums.policy.push(loss.policySum);
      sums.value.push(loss.valueSum);
      sums.entropy.push(loss.entropySum);
      hidden = g.next;
    }
    // Backward through time.
    const transposed = (name: string) => tf.transpose(w[name]! as tf.Tensor2D);
    const [policyT, valueT, uzT, urT, unT] = ['policyW', 'valueW', 'Uz', 'Ur', 'Un'].map(transposed);
    const daZ: tf.Tensor2D[] = new Array(steps);
    const daR: tf.Tensor2D[] = new Array(steps);
    const daN: tf.Tensor2D[] = new Array(steps);
    let dNext: tf.Tensor2D = tf.zeros([batch, policy.shape.hidden]);
    for (let t = steps - 1; t >= 0; t--) {
      const { z, r, n } = gates[t]!;
      const h = previous[t]!;
      const dh = tf.addN([
        dNext,
        ...(heads.policy ? [tf.matMul(dLogits[t]!, policyT!)] : []),
        ...(heads.value ? [tf.matMul(dValues[t]!, valueT!)] : []),
      ]) as tf.Tensor2D;
      const dn = tf.mul(dh, z);
      const dz = tf.mul(dh, tf.sub(n, h));
      daN[t] = tf.mul(dn, tf.sub(1, tf.square(n)));
      daZ[t] = tf.mul(dz, tf.mul(z, tf.sub(1, z)));
      const dResetHidden = tf.matMul(daN[t]!, unT!);
      daR[t] = tf.mul(tf.mul(dResetHidden, h), tf.mul(r, tf.sub(1, r)));
      dNext = tf.addN([
        tf.sub(dh, dn),
        tf.mul(dResetHidden, r),
        tf.matMul(daZ[t]!, uzT!),
        tf.matMul(daR[t]!, urT!),
      ]) as tf.Tensor2D;
    }
    // Weight gradients: one matMul over all steps' rows each.
    const rows = (ts: tf.Tensor2D[]) => tf.reshape(tf.stack(ts), [count, -1]) as tf.Tensor2D;
    const rowsT = (ts: tf.Tensor2D[]) => tf.transpose(rows(ts));
    const [xT, previousT, resetT, hiddenT] = [
      minibatch.inputs,
      previous,
      gates.map((g) => g.resetHidden),
      gates.map((g) => g.next),
    ].map(rowsT);
    const [dz, dr, dn] = [daZ, daR, daN].map(rows);
    const dl = heads.policy ? rows(dLogits) : undefined;
    const dv = heads.value ? rows(dValues) : undefined;
    const byName: Record<string, tf.Tensor> = {
      Wz: tf.matMul(xT!, dz!),
      Uz: tf.matMul(previousT!, dz!),
      bz: tf.sum(dz!, 0),
      Wr: tf.matMul(xT!, dr!),
      Ur: tf.matMul(previousT!, dr!),
      br: tf.sum(dr!, 0),
      Wn: tf.matMul(xT!, dn!),
      Un: tf.matMul(resetT!, dn!),
      bn: tf.sum(dn!, 0),
      policyW: heads.policy ? tf.matMul(hiddenT!, dl!) : tf.zerosLike(w.policyW!),
      policyB: heads.policy ? tf.sum(dl!, 0) : tf.zerosLike(w.policyB!),
      valueW: heads.value ? tf.matMul(hiddenT!, dv!) : tf.zerosLike(w.valueW!),
      valueB: heads.value ? tf.sum(dv!, 0) : tf.zerosLike(w.valueB!),
    };
    const grads: Record<string, tf.Tensor> = {};
    policy.weightNames.forEach((name, i) => {
      grads[policy.variables[i]!.name] = byName[name]!;
    });
    const mean = (terms: tf.Scalar[]) => tf.div(tf.addN(terms), count) as tf.Scalar;
    const policyLoss = mean(sums.policy);
    const valueLoss = mean(sums.value);
    const entropy = mean(sums.entropy);
    const total = tf.addN([
      policyLoss,
      tf.mul(valueLoss, settings.valueCoefficient),
      tf.mul(entropy, -settings.entropyCoefficient),
    ]) as tf.Scalar;
    return { total, policy: policyLoss, value: valueLoss, entropy, grads };
  });
}
