import {
  activationStore,
  ConfigError,
  fastTanh,
  type KernelChoice,
  matMulPlainGrad,
  resolveKernels,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { GRU_SEQUENCE, type GruSequenceAttrs } from './gru-sequence-kernel.js';
import './gru-sequence_grad.js';
import { gruSequenceOnWebGpu } from './gru-sequence-webgpu.js';

/** Weights of a GRU (gates z, r, n) with an optional ReLU input embedding. */
export interface GruWeights {
  Wz: tf.Tensor2D;
  Uz: tf.Tensor2D;
  bz: tf.Tensor1D;
  Wr: tf.Tensor2D;
  Ur: tf.Tensor2D;
  br: tf.Tensor1D;
  Wn: tf.Tensor2D;
  Un: tf.Tensor2D;
  bn: tf.Tensor1D;
  /** `[I, E]` and `[E]`: φ(x) = relu(x·W_φ + b_φ) feeds the GRU. */
  embedW?: tf.Tensor2D;
  embedB?: tf.Tensor1D;
  /**
   * Gains `[H]` of the layer-normalised cell (see {@link gruSequence}), one for each gate's input
   * (`gxz`, `gxr`, `gxn`) and recurrent (`ghz`, `ghr`, `ghn`) product; absent for the plain GRU.
   */
  layerNorm?: LayerNormGains;
}

/** Gains of the layer-normalised GRU cell, per gate (z, r, n) and product (input x, recurrent h). */
export interface LayerNormGains {
  gxz: tf.Tensor1D;
  ghz: tf.Tensor1D;
  gxr: tf.Tensor1D;
  ghr: tf.Tensor1D;
  gxn: tf.Tensor1D;
  ghn: tf.Tensor1D;
}

/** The names of {@link LayerNormGains}, in order. */
export const LAYER_NORM_GAINS = ['gxz', 'ghz', 'gxr', 'ghr', 'gxn', 'ghn'] as const;

/**
 * A GRU over a whole sequence: inputs `[T, B, I]` and initial hidden state `[B, H]` → hidden
 * states `[T, B, H]`, with h' = h + z ⊙ (n − h), z = σ(xW_z + hU_z + b_z), r = σ(xW_r + hU_r + b_r),
 * n = tanh(xW_n + (r ⊙ h)U_n + b_n), and x = relu(input·W_φ + b_φ) when there is an embedding.
 * Differentiable in every input (backpropagation through time) with `tf.variableGrads`.
 *
 * With `layerNorm` gains, the cell of the RL² references (Ba et al. 2016's layer normalisation,
 * with a ReLU candidate): each product is normalised over the hidden units before its gain,
 * z = σ(g_xz·LN(xW_z) + g_hz·LN(hU_z) + b_z), likewise r, and
 * n = relu(g_xn·LN(xW_n) + g_hn·LN((r ⊙ h)U_n) + b_n). It runs as the composite of tfjs ops only.
 *
 * `kernels` picks the implementation: the fused kernel, which keeps the whole recurrence in kernel
 * memory with a hand-written adjoint (SIMD WebAssembly on wasm and cpu, one WGSL dispatch per
 * direction on webgpu), or the composite of tfjs ops.
 */
export function gruSequence(
  inputsTensor: tf.Tensor3D,
  h0: tf.Tensor2D,
  weights: GruWeights,
  kernels: KernelChoice = 'auto',
): tf.Tensor3D {
  const embedding = weights.embedW !== undefined;
  if (weights.layerNorm) {
    refuseFusedLayerNorm(kernels);
    return compositeSequence(inputsTensor, h0, weights);
  }
  if (resolveKernels(kernels, tf.getBackend(), GRU_SEQUENCE) === 'composite')
    return compositeSequence(inputsTensor, h0, weights);
  const inputs: tf.NamedTensorMap = { inputs: inputsTensor, h0 };
  for (const [name, value] of Object.entries(weights)) if (value) inputs[name] = value;
  const [steps, batch, inputSize] = inputsTensor.shape;
  const attrs: GruSequenceAttrs = {
    embedding,
    record: activationStore.recording,
    steps,
    batch,
    inputSize,
    hidden: weights.Uz.shape[0],
    width: weights.Wz.shape[0],
    embeddingUnits: weights.embedW?.shape[1] ?? 0,
  };
  if (tf.getBackend() === 'webgpu') return gruSequenceOnWebGpu(inputs, attrs);
  const [hidden, handle] = tf
    .engine()
    .runKernel(GRU_SEQUENCE, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  // The tape keeps its own reference to the snapshot handle when it records this op.
  handle!.dispose();
  return hidden as tf.Tensor3D;
}

/** Refuses `fused` kernels for the layer-normalised cell, which has none, naming the setting. */
export function refuseFusedLayerNorm(kernels: KernelChoice): void {
  if (kernels === 'fused')
    throw new ConfigError(
      'kernels',
      kernels,
      'the layer-normalised GRU cell has no fused kernel; use auto or composite',
    );
}

/** x·W + b. */
function affine(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.add(matMulPlainGrad(x, w), b);
}

/** Normalises each row of `x` `[B, H]` to zero mean and unit variance over its H units. */
function layerNorm(x: tf.Tensor2D): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LAYER_NORM_EPSILON))) as tf.Tensor2D;
}

/** Keeps {@link layerNorm} finite on a row of equal values (a zero hidden state). */
const LAYER_NORM_EPSILON = 1e-5;

/** One step of the plain GRU cell. */
function plainStep(x: tf.Tensor2D, h: tf.Tensor2D, w: GruWeights): tf.Tensor2D {
  const z = tf.sigmoid(tf.add(affine(x, w.Wz, w.bz), matMulPlainGrad(h, w.Uz)));
  const r = tf.sigmoid(tf.add(affine(x, w.Wr, w.br), matMulPlainGrad(h, w.Ur)));
  const n = fastTanh(tf.add(affine(x, w.Wn, w.bn), matMulPlainGrad(tf.mul(r, h) as tf.Tensor2D, w.Un)));
  return tf.add(h, tf.mul(z, tf.sub(n, h))) as tf.Tensor2D;
}

/** One step of the layer-normalised cell with a ReLU candidate: each product normalised, then scaled by its gain. */
function layerNormStep(x: tf.Tensor2D, h: tf.Tensor2D, w: GruWeights, g: LayerNormGains): tf.Tensor2D {
  const pre = (xw: tf.Tensor2D, gx: tf.Tensor1D, hu: tf.Tensor2D, gh: tf.Tensor1D, b: tf.Tensor1D) =>
    tf.add(tf.add(tf.mul(layerNorm(xw), gx), tf.mul(layerNorm(hu), gh)), b) as tf.Tensor2D;
  const z = tf.sigmoid(pre(matMulPlainGrad(x, w.Wz), g.gxz, matMulPlainGrad(h, w.Uz), g.ghz, w.bz));
  const r = tf.sigmoid(pre(matMulPlainGrad(x, w.Wr), g.gxr, matMulPlainGrad(h, w.Ur), g.ghr, w.br));
  const rh = tf.mul(r, h) as tf.Tensor2D;
  const n = tf.relu(pre(matMulPlainGrad(x, w.Wn), g.gxn, matMulPlainGrad(rh, w.Un), g.ghn, w.bn));
  return tf.add(h, tf.mul(z, tf.sub(n, h))) as tf.Tensor2D;
}

/** The composite reference: one GRU step of tfjs ops per time step, differentiated by tfjs. */
function compositeSequence(inputs: tf.Tensor3D, h0: tf.Tensor2D, w: GruWeights): tf.Tensor3D {
  return tf.tidy(() => {
    let h = h0;
    const states: tf.Tensor2D[] = [];
    const [steps, batch, inputSize] = inputs.shape;
    for (let t = 0; t < steps; t++) {
      // Slices, not tf.unstack: tfjs's unstack gradient fails for a single step.
      const input = tf.reshape(tf.slice(inputs, [t, 0, 0], [1, batch, inputSize]), [
        batch,
        inputSize,
      ]) as tf.Tensor2D;
      const x = w.embedW ? (tf.relu(affine(input, w.embedW, w.embedB!)) as tf.Tensor2D) : input;
      h = w.layerNorm ? layerNormStep(x, h, w, w.layerNorm) : plainStep(x, h, w);
      states.push(h);
    }
    return tf.stack(states) as tf.Tensor3D;
  });
}
