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
 * pass keeps the gate activations; the heads, the loss and its closed-form gradient then run once
 * over all T·B rows; the backward pass runs the GRU's adjoint step by step and the weight gradients
 * are one matMul each over all rows. Per step it issues about a sixth of the kernels that tfjs
 * autodiff does (≈14 µs of overhead each on wasm) and no transposed matMuls. Tests check it against
 * autodiff of the same losses. `heads` picks the loss terms that are differentiated (all
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
    // Forward through the GRU only, keeping what the adjoint needs.
    const previous: tf.Tensor2D[] = [];
    const gates: GruGates[] = [];
    // The GRU's inputs: the embedded RL² inputs with an embedding layer, otherwise the inputs.
    const gruInputs = minibatch.inputs.map((x) => policy.embed(x, false));
    let hidden = policy.initialState(batch);
    for (let t = 0; t < steps; t++) {
      const g = policy.cell(gruInputs[t]!, hidden, false);
      previous.push(hidden);
      gates.push(g);
      hidden = g.next;
    }
    // Heads and loss over all T·B rows at once: a few large kernels instead of ~40 small ones per
    // step (per-kernel overhead dominates on wasm).
    const rows = (ts: tf.Tensor[]) => tf.reshape(tf.stack(ts), [count, -1]) as tf.Tensor2D;
    const flat = (ts: tf.Tensor[]) => tf.concat(ts) as tf.Tensor1D;
    const hiddenRows = rows(gates.map((g) => g.next));
    const loss = ppoLossGradients(
      policy.policyHead(hiddenRows, false),
      policy.valueHead(hiddenRows, false),
      flat(minibatch.actions),
      flat(minibatch.oldLogProbs),
      flat(minibatch.advantages),
      flat(minibatch.returns),
      settings,
      1 / count,
    );
    // ∂loss/∂h from the heads, for every step; read back once and re-uploaded per step, because a
    // row slice of the stacked rows costs ~2.6 ms on wasm and a [128 × 64] upload ~0.06 ms.
    const transposed = (name: string) => tf.transpose(w[name]! as tf.Tensor2D);
    const headTerms = [
      ...(heads.policy ? [tf.matMul(loss.dLogits, transposed('policyW'))] : []),
      ...(heads.value ? [tf.matMul(loss.dValues, transposed('valueW'))] : []),
    ];
    const hiddenSize = policy.shape.hidden;
    const dHeads = (
      headTerms.length === 0 ? tf.zeros([count, hiddenSize]) : tf.addN(headTerms)
    ).dataSync() as Float32Array;
    const dHeadAt = (t: number) =>
      tf.tensor2d(dHeads.subarray(t * batch * hiddenSize, (t + 1) * batch * hiddenSize), [batch, hiddenSize]);
    // Backward through time.
    const [uzT, urT, unT] = ['Uz', 'Ur', 'Un'].map(transposed);
    const daZ: tf.Tensor2D[] = new Array(steps);
    const daR: tf.Tensor2D[] = new Array(steps);
    const daN: tf.Tensor2D[] = new Array(steps);
    let dNext: tf.Tensor2D = tf.zeros([batch, hiddenSize]);
    for (let t = steps - 1; t >= 0; t--) {
      const { z, r, n } = gates[t]!;
      const h = previous[t]!;
      const dh = tf.add(dNext, dHeadAt(t)) as tf.Tensor2D;
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
    // Weight gradients: one matMul over all steps' rows each; bias gradients as ones·rows, which
    // is ~15× faster than a column sum on wasm.
    const rowsT = (ts: tf.Tensor2D[]) => tf.transpose(rows(ts)) as tf.Tensor2D;
    const gruInputRows = rows(gruInputs);
    const xT = tf.transpose(gruInputRows) as tf.Tensor2D;
    const previousT = rowsT(previous);
    const resetT = rowsT(gates.map((g) => g.resetHidden));
    const hiddenT = tf.transpose(hiddenRows) as tf.Tensor2D;
    const ones = tf.ones([1, count]) as tf.Tensor2D;
    const columnSum = (x: tf.Tensor2D) => tf.reshape(tf.matMul(ones, x), [-1]);
    const [dz, dr, dn] = [daZ, daR, daN].map(rows);
    const { dLogits: dl, dValues: dv } = loss;
    const byName: Record<string, tf.Tensor> = {
      Wz: tf.matMul(xT, dz!),
      Uz: tf.matMul(previousT, dz!),
      bz: columnSum(dz!),
      Wr: tf.matMul(xT, dr!),
      Ur: tf.matMul(previousT, dr!),
      br: columnSum(dr!),
      Wn: tf.matMul(xT, dn!),
      Un: tf.matMul(resetT, dn!),
      bn: columnSum(dn!),
      policyW: heads.policy ? tf.matMul(hiddenT, dl) : tf.zerosLike(w.policyW!),
      policyB: heads.policy ? columnSum(dl) : tf.zerosLike(w.policyB!),
      valueW: heads.value ? tf.matMul(hiddenT, dv) : tf.zerosLike(w.valueW!),
      valueB: heads.value ? columnSum(dv) : tf.zerosLike(w.valueB!),
    };
    if (w.embedW) {
      // Through the embedding: ∂x = Σ_gates ∂a_gate·W_gateᵀ over all rows, masked by relu′.
      const dEmbedded = tf.addN([
        tf.matMul(dz!, transposed('Wz')),
        tf.matMul(dr!, transposed('Wr')),
        tf.matMul(dn!, transposed('Wn')),
      ]);
      const dPre = tf.mul(dEmbedded, tf.cast(tf.greater(gruInputRows, 0), 'float32')) as tf.Tensor2D;
      byName.embedW = tf.matMul(rowsT(minibatch.inputs), dPre);
      byName.embedB = columnSum(dPre);
    }
    const grads: Record<string, tf.Tensor> = {};
    policy.weightNames.forEach((name, i) => {
      grads[policy.variables[i]!.name] = byName[name]!;
    });
    const policyLoss = tf.div(loss.policySum, count) as tf.Scalar;
    const valueLoss = tf.div(loss.valueSum, count) as tf.Scalar;
    const entropy = tf.div(loss.entropySum, count) as tf.Scalar;
    const total = tf.addN([
      policyLoss,
      tf.mul(valueLoss, settings.valueCoefficient),
      tf.mul(entropy, -settings.entropyCoefficient),
    ]) as tf.Scalar;
    return { total, policy: policyLoss, value: valueLoss, entropy, grads };
  });
}
