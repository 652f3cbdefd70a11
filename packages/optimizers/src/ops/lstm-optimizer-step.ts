import { activationStore, fastTanh, type KernelChoice, resolveKernels } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { LstmState } from '../learned/coordinatewise-lstm.js';
import { logAndSign } from '../learned/preprocess.js';
import { LSTM_OPTIMIZER_STEP, type LstmOptimizerStepAttrs } from './lstm-optimizer-step-kernel.js';
import './lstm-optimizer-step_grad.js';
import { lstmOptimizerStepOnWebGpu } from './lstm-optimizer-step-webgpu.js';

/** Weights of a coordinatewise LSTM optimizer: per layer `[4H, I + H + 1]` (gates i, f, o, g; bias last), and a linear head. */
export interface LstmOptimizerWeights {
  kernels: tf.Tensor2D[];
  /** `[K, H]`. */
  headW: tf.Tensor2D;
  /** `[K, 1]`. */
  headB: tf.Tensor2D;
}

/** Output of {@link lstmOptimizerStep}. */
export interface LstmOptimizerStepOutput {
  /** The head's output `[K, N]` (the update direction, or logits over step sizes). */
  output: tf.Tensor2D;
  state: LstmState;
}

/**
 * One step of the coordinatewise LSTM optimizer (Andrychowicz et al. 2016) on a gradient `[1, N]`:
 * LogAndSign features, every LSTM layer (coordinates along columns, weights shared), and the linear
 * head. Differentiable in every input with `tf.variableGrads` like any tfjs op.
 *
 * `kernels` picks the implementation (see {@link KernelChoice}): the fused kernel with its
 * hand-written adjoint (SIMD WebAssembly on wasm and cpu, one WGSL dispatch per direction on
 * webgpu), or the composite of tfjs ops (any backend; the test oracle).
 */
export function lstmOptimizerStep(
  gradient: tf.Tensor2D,
  state: LstmState,
  weights: LstmOptimizerWeights,
  preprocessK: number,
  kernels: KernelChoice = 'auto',
): LstmOptimizerStepOutput {
  const layers = weights.kernels.map((k) => k.shape[0] / 4);
  if (resolveKernels(kernels, tf.getBackend(), LSTM_OPTIMIZER_STEP) === 'composite')
    return compositeStep(gradient, state, weights, preprocessK);
  const inputs: tf.NamedTensorMap = { gradient, headW: weights.headW, headB: weights.headB };
  layers.forEach((_, l) => {
    inputs[`h${l}`] = state.h[l]!;
    inputs[`c${l}`] = state.c[l]!;
    inputs[`kernel${l}`] = weights.kernels[l]!;
  });
  const attrs: LstmOptimizerStepAttrs = {
    layers,
    preprocessK,
    record: activationStore.recording,
    coordinates: gradient.shape[1],
    outputs: weights.headW.shape[0],
  };
  if (tf.getBackend() === 'webgpu') {
    const [output, ...next] = lstmOptimizerStepOnWebGpu(inputs, attrs);
    return {
      output: output!,
      state: { h: layers.map((_, l) => next[2 * l]!), c: layers.map((_, l) => next[2 * l + 1]!) },
    };
  }
  const [output, handle, ...next] = tf
    .engine()
    .runKernel(LSTM_OPTIMIZER_STEP, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D[];
  // The tape keeps its own reference to the snapshot handle when it records this op.
  handle!.dispose();
  return {
    output: output!,
    state: {
      h: layers.map((_, l) => next[2 * l]!),
      c: layers.map((_, l) => next[2 * l + 1]!),
    },
  };
}

/** The composite reference: the same step from tfjs ops, differentiated by tfjs. */
function compositeStep(
  gradient: tf.Tensor2D,
  state: LstmState,
  weights: LstmOptimizerWeights,
  preprocessK: number,
): LstmOptimizerStepOutput {
  return tf.tidy(() => {
    const n = gradient.shape[1];
    const ones = tf.ones([1, n]);
    let x = logAndSign(gradient, preprocessK);
    const h: tf.Tensor2D[] = [];
    const c: tf.Tensor2D[] = [];
    weights.kernels.forEach((kernel, l) => {
      const xh = tf.concat([x, state.h[l]!, ones], 0);
      const [wi, wf, wo, wg] = tf.split(kernel, 4, 0);
      const i = tf.sigmoid(tf.matMul(wi!, xh));
      const f = tf.sigmoid(tf.matMul(wf!, xh));
      const o = tf.sigmoid(tf.matMul(wo!, xh));
      const g = fastTanh(tf.matMul(wg!, xh));
      const cNext = tf.add(tf.mul(f, state.c[l]!), tf.mul(i, g)) as tf.Tensor2D;
      const hNext = tf.mul(o, fastTanh(cNext)) as tf.Tensor2D;
      h.push(hNext);
      c.push(cNext);
      x = hNext;
    });
    const output = tf.add(tf.matMul(weights.headW, x), weights.headB) as tf.Tensor2D;
    return { output, state: { h, c } };
  });
}
