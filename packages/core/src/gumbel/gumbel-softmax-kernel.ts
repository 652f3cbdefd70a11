import type * as tf from '@tensorflow/tfjs';
import { activationStore } from '../kernels/activation-store.js';
import { recurrentKernels } from '../kernels/recurrent-kernels.js';
import { type FusedKernelFactory, registerFusedKernel } from '../kernels/register-fused-kernel.js';
import { tensorIO } from '../kernels/tensor-io.js';

/** tfjs kernel names of the fused Gumbel-softmax and of its adjoint. */
export const GUMBEL_SOFTMAX = 'MetagradGumbelSoftmax';
export const GUMBEL_SOFTMAX_GRAD = 'MetagradGumbelSoftmaxGrad';

/** Attributes of the forward kernel (categories on the last axis). */
export interface GumbelSoftmaxAttrs {
  /** τ's value (also when τ is a tensor input, whose value the op reads before the kernel runs). */
  temperature: number;
  /** Whether τ is the tensor input `temperature`, so the adjoint also gives dL/dτ. */
  temperatureInput: boolean;
  /** Output the one-hot of each row's argmax (the straight-through forward value), not the soft sample. */
  hard: boolean;
  /** Keep the soft sample for the adjoint (the op is being recorded on a gradient tape). */
  record: boolean;
  /** The noise's key halves (see `keyedUniforms`). */
  seedLo: number;
  seedHi: number;
}

type KernelArgs = Parameters<ReturnType<FusedKernelFactory>>[0];

/** The rows and categories of a tensor with its categories on the last axis, and a fresh kernel arena. */
function start(info: tf.TensorInfo) {
  const cols = info.shape[info.shape.length - 1]!;
  const size = info.shape.reduce((a, b) => a * b, 1);
  const kernels = recurrentKernels();
  kernels.reset();
  return { rows: size / cols, cols, size, kernels };
}

/** Attributes of the adjoint: the forward's and the snapshot of the soft sample it kept. */
export interface GumbelSoftmaxGradAttrs extends GumbelSoftmaxAttrs {
  snapshot: number;
}

/**
 * Outputs: the sample (soft, or with `hard` the one-hot of its argmax), the logits' shape, and a
 * snapshot handle (int32 `[1]`; 0 when not recording). The soft sample the adjoint needs stays
 * outside tfjs, so a hard sample's unused soft output costs tfjs no tensor and no zero gradient.
 */
const forward: FusedKernelFactory = (backendName) => (args: KernelArgs) => {
  const attrs = args.attrs as unknown as GumbelSoftmaxAttrs;
  const io = tensorIO(args.backend, backendName);
  const logits = args.inputs.logits!;
  const { rows, cols, size, kernels } = start(logits);
  // The soft sample first: the arena's start is what a snapshot can keep in place (see ActivationStore).
  const y = kernels.alloc(size);
  const x = kernels.put(io.read(logits));
  const hard = attrs.hard ? kernels.alloc(size) : 0;
  kernels.exports.gumbelSoftmaxForward(
    rows,
    cols,
    x,
    y,
    hard,
    1 / attrs.temperature,
    attrs.seedLo,
    attrs.seedHi,
  );
  const snapshot = attrs.record ? activationStore.keep(kernels, y, y + size * 4) : 0;
  return [io.write(logits.shape, kernels.view(attrs.hard ? hard : y, size)), io.writeHandle(snapshot)];
};

/** Input: the upstream gradient `dy`. Outputs: dL/dlogits, then (with a τ input) dL/dτ. */
const backward: FusedKernelFactory = (backendName) => (args: KernelArgs) => {
  const attrs = args.attrs as unknown as GumbelSoftmaxGradAttrs;
  const io = tensorIO(args.backend, backendName);
  const upstream = args.inputs.dy!;
  activationStore.reopen(recurrentKernels(), attrs.snapshot);
  const { rows, cols, size, kernels } = start(upstream);
  const y = kernels.alloc(size);
  activationStore.restore(attrs.snapshot, kernels.view(y, size));
  const dy = kernels.put(io.read(upstream));
  const dLogits = kernels.alloc(size);
  const dTemperature = kernels.exports.gumbelSoftmaxBackward(
    rows,
    cols,
    y,
    dy,
    dLogits,
    1 / attrs.temperature,
    attrs.temperatureInput ? 1 : 0,
  );
  const dl = io.write(upstream.shape, kernels.view(dLogits, size));
  return attrs.temperatureInput ? [dl, io.write([], Float32Array.of(dTemperature))] : [dl];
};

registerFusedKernel(GUMBEL_SOFTMAX, forward);
registerFusedKernel(GUMBEL_SOFTMAX_GRAD, backward);
