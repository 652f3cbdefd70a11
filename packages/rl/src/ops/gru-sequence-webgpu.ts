import {
  registerWebGpuKernel,
  type WebGpuBackend,
  type WebGpuKernelArgs,
  webgpuKernel,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import {
  GRU_SEQUENCE,
  GRU_SEQUENCE_GRAD,
  type GruSequenceAttrs,
  gruInputNames,
} from './gru-sequence-kernel.js';
import { gruAdjointProgram, gruForwardProgram } from './gru-sequence-wgsl.js';

/** The three gates' weights side by side (z, r, n), as the shaders read them; the caller disposes it. */
function packGates(inputs: tf.NamedTensorInfoMap, backend: WebGpuBackend, prefix: 'W' | 'U' | 'b') {
  const parts = ['z', 'r', 'n'].map((gate) => inputs[`${prefix}${gate}`]!);
  return webgpuKernel('Concat')({ inputs: parts, backend, attrs: { axis: prefix === 'b' ? 0 : 1 } });
}

/**
 * The forward kernel on webgpu: hidden states `[T, B, H]` and, where the wasm kernel returns its
 * snapshot handle, the packed activations `[T·B, 4H + E]` (see {@link gruForwardProgram}).
 */
function forward({ inputs, backend, attrs }: WebGpuKernelArgs): tf.TensorInfo[] {
  const a = attrs as unknown as GruSequenceAttrs;
  const weights = (['W', 'U', 'b'] as const).map((prefix) => packGates(inputs, backend, prefix));
  const embedding = a.embedding ? [inputs.embedW!, inputs.embedB!] : [];
  const packed = backend.runWebGPUProgram(
    gruForwardProgram(a, a.embedding),
    [inputs.inputs!, inputs.h0!, ...weights, ...embedding],
    'float32',
  );
  for (const w of weights) backend.disposeData(w.dataId);
  const rows = webgpuKernel('Slice')({
    inputs: { x: packed },
    backend,
    attrs: { begin: [0, 0], size: [a.steps * a.batch, a.hidden] },
  });
  const hidden = webgpuKernel('Reshape')({
    inputs: { x: rows },
    backend,
    attrs: { shape: [a.steps, a.batch, a.hidden] },
  });
  backend.disposeData(rows.dataId);
  return [hidden, packed];
}

/** The adjoint kernel on webgpu: the gates' pre-activation gradients and h0's (see {@link gruAdjointProgram}). */
function adjoint({ inputs, backend, attrs }: WebGpuKernelArgs): tf.TensorInfo[] {
  const a = attrs as unknown as GruSequenceAttrs;
  const u = packGates(inputs, backend, 'U');
  const out = backend.runWebGPUProgram(
    gruAdjointProgram(a),
    [inputs.dHidden!, inputs.h0!, inputs.forward!, u],
    'float32',
  );
  backend.disposeData(u.dataId);
  return [out];
}

registerWebGpuKernel(GRU_SEQUENCE, forward);
registerWebGpuKernel(GRU_SEQUENCE_GRAD, adjoint);

/**
 * Every input's gradient from the adjoint kernel's gate gradients: the recurrence is done, so the
 * weights' gradients are a few matrix products over all T·B rows at once.
 */
function gradients(
  dy: tf.Tensor3D,
  named: Record<string, tf.Tensor>,
  packed: tf.Tensor2D,
  a: GruSequenceAttrs,
) {
  const { steps: t, batch: b, hidden: h, inputSize } = a;
  const rows = t * b;
  const [adjointRows] = tf
    .engine()
    .runKernel(
      GRU_SEQUENCE_GRAD,
      { dHidden: dy, h0: named.h0!, forward: packed, Uz: named.Uz!, Ur: named.Ur!, Un: named.Un! },
      a as unknown as tf.NamedAttrMap,
    ) as tf.Tensor2D[];
  const [dz, dr, dn] = tf.split(tf.slice(adjointRows!, [0, 0], [rows, 3 * h]), 3, 1) as tf.Tensor2D[];
  const dh0 = tf.slice(adjointRows!, [rows, 0], [b, h]);
  const hidden = tf.slice(packed, [0, 0], [rows, h]);
  const previous = tf.concat([named.h0!, tf.slice(hidden, [0, 0], [rows - b, h])], 0) as tf.Tensor2D;
  const reset = tf.slice(packed, [0, 2 * h], [rows, h]);
  const flatInputs = tf.reshape(named.inputs!, [rows, inputSize]) as tf.Tensor2D;
  const x = a.embedding
    ? (tf.slice(packed, [0, 4 * h], [rows, a.embeddingUnits]) as tf.Tensor2D)
    : flatInputs;
  const gateGradients = (gate: tf.Tensor2D, recurrentInput: tf.Tensor2D) => [
    tf.matMul(x, gate, true, false),
    tf.matMul(recurrentInput, gate, true, false),
    tf.sum(gate, 0),
  ];
  const dx = tf.addN([
    tf.matMul(dz!, named.Wz as tf.Tensor2D, false, true),
    tf.matMul(dr!, named.Wr as tf.Tensor2D, false, true),
    tf.matMul(dn!, named.Wn as tf.Tensor2D, false, true),
  ]);
  const grads = [
    ...gateGradients(dz!, previous),
    ...gateGradients(dr!, previous),
    ...gateGradients(dn!, tf.mul(reset, previous) as tf.Tensor2D),
  ];
  if (!a.embedding) return [tf.reshape(dx, [t, b, inputSize]), dh0, ...grads];
  // relu′(s) is 1 where the embedded value is positive.
  const dEmbedded = tf.mul(dx, tf.step(x));
  return [
    tf.reshape(tf.matMul(dEmbedded, named.embedW as tf.Tensor2D, false, true), [t, b, inputSize]),
    dh0,
    ...grads,
    tf.matMul(flatInputs, dEmbedded, true, false),
    tf.sum(dEmbedded, 0),
  ];
}

/**
 * The GRU sequence on webgpu's fused kernels: the forward and adjoint recurrences are one dispatch
 * each; the gradient runs the adjoint kernel on the forward's packed activations, which the tape
 * saves only while it records.
 */
export function gruSequenceOnWebGpu(
  tensors: Record<string, tf.Tensor>,
  attrs: GruSequenceAttrs,
): tf.Tensor3D {
  const names = gruInputNames(attrs.embedding);
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const inputs = args as tf.Tensor[];
    const named = Object.fromEntries(names.map((name, i) => [name, inputs[i]!]));
    const [hidden, packed] = tf
      .engine()
      .runKernel(GRU_SEQUENCE, named, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([...inputs, packed!]);
    return {
      value: hidden!,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const kept = Object.fromEntries(names.map((name, i) => [name, saved[i]!]));
        return gradients(dy as tf.Tensor3D, kept, saved[names.length] as tf.Tensor2D, attrs);
      },
    };
  });
  return op(...names.map((name) => tensors[name]!)) as tf.Tensor3D;
}
