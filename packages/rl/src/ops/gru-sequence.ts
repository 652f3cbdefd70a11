import {
  activationStore,
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
}

/**
 * A GRU over a whole sequence: inputs `[T, B, I]` and initial hidden state `[B, H]` → hidden
 * states `[T, B, H]`, with h' = h + z ⊙ (n − h), z = σ(xW_z + hU_z + b_z), r = σ(xW_r + hU_r + b_r),
 * n = tanh(xW_n + (r ⊙ h)U_n + b_n), and x = relu(input·W_φ + b_φ) when there is an embedding.
 * Differentiable in every input (backpropagation through time) with `tf.variableGrads`.
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

/** x·W + b. */
function affine(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return tf.add(matMulPlainGrad(x, w), b);
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
      const z = tf.sigmoid(tf.add(affine(x, w.Wz, w.bz), matMulPlainGrad(h, w.Uz)));
      const r = tf.sigmoid(tf.add(affine(x, w.Wr, w.br), matMulPlainGrad(h, w.Ur)));
      const n = fastTanh(tf.add(affine(x, w.Wn, w.bn), matMulPlainGrad(tf.mul(r, h) as tf.Tensor2D, w.Un)));
      h = tf.add(h, tf.mul(z, tf.sub(n, h))) as tf.Tensor2D;
      states.push(h);
    }
    return tf.stack(states) as tf.Tensor3D;
  });
}
