import {
  activationStore,
  type FusedKernelFactory,
  type RecurrentKernels,
  recurrentKernels,
  registerFusedKernel,
  tensorIO,
} from '@metagrad/core';
import type * as tf from '@tensorflow/tfjs';

/** tfjs kernel names of the fused coordinatewise-LSTM optimizer step and of its adjoint. */
export const LSTM_OPTIMIZER_STEP = 'MetagradLstmOptimizerStep';
export const LSTM_OPTIMIZER_STEP_GRAD = 'MetagradLstmOptimizerStepGrad';

/** Attributes of the forward kernel. */
export interface LstmOptimizerStepAttrs {
  /** Units per layer. */
  layers: number[];
  /** LogAndSign's k. */
  preprocessK: number;
  /** Keep a snapshot for the adjoint (the op is being recorded on a gradient tape). */
  record: boolean;
  /** N and the head's outputs K. */
  coordinates: number;
  outputs: number;
}

/** Attributes of the adjoint: the forward's and the snapshot it kept. */
export interface LstmOptimizerStepGradAttrs extends LstmOptimizerStepAttrs {
  snapshot: number;
}

/**
 * Input names, in order: the gradient `[1, N]`, then h and c of each layer `[H, N]`, each layer's
 * kernel `[4H, I + H + 1]`, the head's weight `[K, H]` and bias `[K, 1]`. The adjoint's outputs are
 * their gradients, in the same order.
 */
export function lstmStepInputNames(layers: number): string[] {
  const names = ['gradient'];
  for (let l = 0; l < layers; l++) names.push(`h${l}`, `c${l}`);
  for (let l = 0; l < layers; l++) names.push(`kernel${l}`);
  names.push('headW', 'headB');
  return names;
}

function inputSizeOf(layers: number[], l: number): number {
  return l === 0 ? 2 : layers[l - 1]!;
}

/**
 * The start of kernel memory for one step, the same in the forward kernel and its adjoint: the
 * inputs, then the activations (the two LogAndSign feature rows, then per layer the gates i, f, o,
 * g and tanh(c'), 5H rows). Everything up to `end` is the snapshot the adjoint restores.
 */
function stepLayout(kernels: RecurrentKernels, layers: number[], n: number, outputs: number) {
  const address: Record<string, number> = {};
  const sizes: Record<string, number> = {
    gradient: n,
    headW: outputs * layers[layers.length - 1]!,
    headB: outputs,
  };
  layers.forEach((units, l) => {
    sizes[`h${l}`] = units * n;
    sizes[`c${l}`] = units * n;
    sizes[`kernel${l}`] = 4 * units * (inputSizeOf(layers, l) + units + 1);
  });
  for (const name of lstmStepInputNames(layers.length)) address[name] = kernels.alloc(sizes[name]!);
  const rows = 2 + layers.reduce((sum, units) => sum + 5 * units, 0);
  const activations = kernels.alloc(rows * n);
  const layerAt: number[] = [];
  let row = 2;
  for (const units of layers) {
    layerAt.push(activations + row * n * 4);
    row += 5 * units;
  }
  return { address, sizes, activations, layerAt, start: address.gradient!, end: activations + rows * n * 4 };
}

type KernelArgs = Parameters<ReturnType<FusedKernelFactory>>[0];

/**
 * Forward kernel. Outputs: the head's output `[K, N]`, a snapshot handle (int32 `[1]`; 0 when not
 * recording), then h' and c' of each layer.
 */
function forward(backendName: string) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const {
      layers,
      preprocessK,
      record,
      coordinates: n,
      outputs,
    } = args.attrs as unknown as LstmOptimizerStepAttrs;
    const io = tensorIO(args.backend, backendName);
    const kernels = recurrentKernels();
    const k = kernels.exports;
    kernels.reset();
    // Allocate everything first: growing the memory detaches views.
    const lay = stepLayout(kernels, layers, n, outputs);
    const next = layers.map((units) => ({ h: kernels.alloc(units * n), c: kernels.alloc(units * n) }));
    const logits = kernels.alloc(outputs * n);
    for (const name of lstmStepInputNames(layers.length)) {
      kernels.view(lay.address[name]!, lay.sizes[name]!).set(io.read(args.inputs[name]!));
    }
    const { address } = lay;
    k.logAndSignForward(n, address.gradient!, lay.activations, preprocessK);
    let x = lay.activations;
    layers.forEach((units, l) => {
      const inputSize = inputSizeOf(layers, l);
      const ld = inputSize + units + 1;
      const kernel = address[`kernel${l}`]!;
      const a = lay.layerAt[l]!;
      k.fillRowsWith(4 * units, n, a, n, kernel + (inputSize + units) * 4, ld);
      k.gemm(4 * units, n, inputSize, kernel, ld, 1, x, n, a, n, 1);
      k.gemm(4 * units, n, units, kernel + inputSize * 4, ld, 1, address[`h${l}`]!, n, a, n, 1);
      k.lstmCellForward(units * n, a, address[`c${l}`]!, next[l]!.c, a + 4 * units * n * 4, next[l]!.h);
      x = next[l]!.h;
    });
    const top = layers[layers.length - 1]!;
    k.fillRowsWith(outputs, n, logits, n, address.headB!, 1);
    k.gemm(outputs, n, top, address.headW!, top, 1, x, n, logits, n, 1);
    const snapshot = record ? activationStore.keep(kernels, lay.start, lay.end) : 0;
    const out = (at: number, rows: number) => io.write([rows, n], kernels.view(at, rows * n));
    return [
      out(logits, outputs),
      io.writeHandle(snapshot),
      ...layers.flatMap((units, l) => [out(next[l]!.h, units), out(next[l]!.c, units)]),
    ];
  };
}

/**
 * Adjoint kernel. Inputs: `dLogits` and, per layer, `dh{l}` and `dc{l}` (the gradients reaching h'
 * and c'); everything else comes from the forward's snapshot. Outputs: the gradients of the forward
 * inputs, in {@link lstmStepInputNames} order.
 */
function backward(backendName: string) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const {
      layers,
      preprocessK,
      coordinates: n,
      outputs,
      snapshot,
    } = args.attrs as unknown as LstmOptimizerStepGradAttrs;
    const io = tensorIO(args.backend, backendName);
    const kernels = recurrentKernels();
    const k = kernels.exports;
    const top = layers[layers.length - 1]!;
    // The forward's snapshot, where it is still in place, becomes the start of this arena.
    activationStore.reopen(kernels, snapshot);
    kernels.reset();
    const lay = stepLayout(kernels, layers, n, outputs);
    const { address } = lay;
    const dLogits = kernels.alloc(outputs * n);
    const dhNext = layers.map((units) => kernels.alloc(units * n));
    const dc = layers.map((units) => kernels.alloc(units * n));
    const hidden = layers.map((units) => kernels.alloc(units * n));
    const da = kernels.alloc(4 * Math.max(...layers) * n);
    const features = kernels.alloc(2 * n);
    const dGradient = kernels.alloc(n);
    const dh = layers.map((units) => kernels.alloc(units * n));
    const dKernel = layers.map((units, l) => kernels.alloc(4 * units * (inputSizeOf(layers, l) + units + 1)));
    const dHeadW = kernels.alloc(outputs * top);
    const dHeadB = kernels.alloc(outputs);
    activationStore.restore(snapshot, kernels.view(lay.start, (lay.end - lay.start) / 4));
    kernels.view(dLogits, outputs * n).set(io.read(args.inputs.dLogits!));
    layers.forEach((units, l) => {
      kernels.view(dhNext[l]!, units * n).set(io.read(args.inputs[`dh${l}`]!));
      kernels.view(dc[l]!, units * n).set(io.read(args.inputs[`dc${l}`]!));
    });

    // h' = o ⊙ tanh(c') is recomputed rather than kept.
    layers.forEach((units, l) => {
      k.multiply(
        units * n,
        lay.layerAt[l]! + 2 * units * n * 4,
        lay.layerAt[l]! + 4 * units * n * 4,
        hidden[l]!,
      );
    });
    const last = layers.length - 1;
    // Head: logits = W·h + b.
    k.gemmNT(outputs, top, n, dLogits, n, hidden[last]!, n, dHeadW, top, 0);
    k.rowSums(outputs, n, dLogits, n, dHeadB, 1, 0);
    kernels.view(dh[last]!, top * n).set(kernels.view(dhNext[last]!, top * n));
    k.gemm(top, n, outputs, address.headW!, 1, top, dLogits, n, dh[last]!, n, 1);
    for (let l = last; l >= 0; l--) {
      const units = layers[l]!;
      const inputSize = inputSizeOf(layers, l);
      const ld = inputSize + units + 1;
      const kernel = address[`kernel${l}`]!;
      const a = lay.layerAt[l]!;
      // dc becomes the gradient of c_prev in place.
      k.lstmCellBackward(units * n, a, a + 4 * units * n * 4, address[`c${l}`]!, dh[l]!, dc[l]!, da);
      const x = l === 0 ? lay.activations : hidden[l - 1]!;
      k.gemmNT(4 * units, inputSize, n, da, n, x, n, dKernel[l]!, ld, 0);
      k.gemmNT(4 * units, units, n, da, n, address[`h${l}`]!, n, dKernel[l]! + inputSize * 4, ld, 0);
      k.rowSums(4 * units, n, da, n, dKernel[l]! + (inputSize + units) * 4, ld, 0);
      // dh now carries the gradient of h_prev (the recurrent input).
      k.gemm(units, n, 4 * units, kernel + inputSize * 4, 1, ld, da, n, dh[l]!, n, 0);
      if (l > 0) {
        kernels.view(dh[l - 1]!, inputSize * n).set(kernels.view(dhNext[l - 1]!, inputSize * n));
        k.gemm(inputSize, n, 4 * units, kernel, 1, ld, da, n, dh[l - 1]!, n, 1);
      } else {
        k.gemm(2, n, 4 * units, kernel, 1, ld, da, n, features, n, 0);
        k.logAndSignBackward(n, address.gradient!, features, dGradient, preprocessK);
      }
    }
    const out = (at: number, shape: number[]) => io.write(shape, kernels.view(at, shape[0]! * shape[1]!));
    return [
      out(dGradient, [1, n]),
      ...layers.flatMap((units, l) => [out(dh[l]!, [units, n]), out(dc[l]!, [units, n])]),
      ...layers.map((units, l) => out(dKernel[l]!, [4 * units, inputSizeOf(layers, l) + units + 1])),
      out(dHeadW, [outputs, top]),
      out(dHeadB, [outputs, 1]),
    ];
  };
}

registerFusedKernel(LSTM_OPTIMIZER_STEP, forward);
registerFusedKernel(LSTM_OPTIMIZER_STEP_GRAD, backward);
