import { FUSED_KERNEL_BACKENDS, recurrentKernels, tensorIO } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';

/** tfjs kernel names of the fused coordinatewise-LSTM optimizer step and of its adjoint. */
export const LSTM_OPTIMIZER_STEP = 'MetagradLstmOptimizerStep';
export const LSTM_OPTIMIZER_STEP_GRAD = 'MetagradLstmOptimizerStepGrad';

/** Attributes of both kernels. */
export interface LstmOptimizerStepAttrs {
  /** Units per layer. */
  layers: number[];
  /** LogAndSign's k. */
  preprocessK: number;
}

/**
 * Input names of the forward kernel (it takes its inputs as an array in this order) and of the
 * adjoint's outputs, in order: the gradient `[1, N]`, then h and c of each layer `[H, N]`, each layer's
 * kernel `[4H, I + H + 1]`, the head's weight `[K, H]` and bias `[K, 1]`.
 */
export function lstmStepInputNames(layers: number): string[] {
  const names = ['gradient'];
  for (let l = 0; l < layers; l++) names.push(`h${l}`, `c${l}`);
  for (let l = 0; l < layers; l++) names.push(`kernel${l}`);
  names.push('headW', 'headB');
  return names;
}

/**
 * Rows of the saved activations `[rows, N]`: the two LogAndSign features, then per layer the
 * gates i, f, o, g (4H rows) and tanh(c') (H rows).
 */
export function activationRows(layers: number[]): number {
  return 2 + layers.reduce((sum, units) => sum + 5 * units, 0);
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function attrsOf(args: KernelArgs): LstmOptimizerStepAttrs {
  return args.attrs as unknown as LstmOptimizerStepAttrs;
}

/**
 * Forward kernel. Outputs: the head's output `[K, N]`, the activations (see {@link activationRows}),
 * then h' and c' of each layer.
 */
function forward(backendName: string) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const { layers, preprocessK } = attrsOf(args);
    const io = tensorIO(args.backend, backendName);
    const kernels = recurrentKernels();
    const k = kernels.exports;
    // Passed as an array (the gradient saves all inputs): name them.
    const named = Object.fromEntries(
      lstmStepInputNames(layers.length).map((name, i) => [
        name,
        (args.inputs as unknown as tf.TensorInfo[])[i]!,
      ]),
    );
    const info = (name: string) => named[name]!;
    const n = info('gradient').shape[1]!;
    const outputs = info('headW').shape[0]!;
    kernels.reset();
    // Allocate everything first: growing the memory detaches views.
    const inputs = lstmStepInputNames(layers.length).map((name) => {
      const t = info(name);
      return { name, address: kernels.alloc(sizeOf(t)), t };
    });
    const address = Object.fromEntries(inputs.map((i) => [i.name, i.address]));
    const act = kernels.alloc(activationRows(layers) * n);
    const next = layers.map((units) => ({ h: kernels.alloc(units * n), c: kernels.alloc(units * n) }));
    const logits = kernels.alloc(outputs * n);
    for (const i of inputs) kernels.view(i.address, sizeOf(i.t)).set(io.read(i.t));

    k.logAndSignForward(n, address.gradient!, act, preprocessK);
    let x = act;
    let inputSize = 2;
    let offset = 2 * n;
    layers.forEach((units, l) => {
      const ld = inputSize + units + 1;
      const kernel = address[`kernel${l}`]!;
      const a = act + offset * 4;
      const tanhC = a + 4 * units * n * 4;
      k.fillRowsWith(4 * units, n, a, n, kernel + (inputSize + units) * 4, ld);
      k.gemm(4 * units, n, inputSize, kernel, ld, 1, x, n, a, n, 1);
      k.gemm(4 * units, n, units, kernel + inputSize * 4, ld, 1, address[`h${l}`]!, n, a, n, 1);
      k.lstmCellForward(units * n, a, address[`c${l}`]!, next[l]!.c, tanhC, next[l]!.h);
      x = next[l]!.h;
      inputSize = units;
      offset += 5 * units * n;
    });
    k.fillRowsWith(outputs, n, logits, n, address.headB!, 1);
    k.gemm(outputs, n, inputSize, address.headW!, inputSize, 1, x, n, logits, n, 1);

    const out = (at: number, rows: number) => io.write([rows, n], kernels.view(at, rows * n));
    return [
      out(logits, outputs),
      out(act, activationRows(layers)),
      ...layers.flatMap((units, l) => [out(next[l]!.h, units), out(next[l]!.c, units)]),
    ];
  };
}

/**
 * Adjoint kernel. Inputs: `dLogits`, `activations`, `dh{l}`, `dc{l}` (the gradients reaching each
 * layer's h' and c') and the forward inputs. Outputs, in order: the gradients of the gradient input,
 * of each layer's h and c, of each kernel, of the head's weight and of its bias.
 */
function backward(backendName: string) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const { layers, preprocessK } = attrsOf(args);
    const io = tensorIO(args.backend, backendName);
    const kernels = recurrentKernels();
    const k = kernels.exports;
    const info = (name: string) => args.inputs[name]!;
    const n = info('gradient').shape[1]!;
    const outputs = info('headW').shape[0]!;
    const top = layers[layers.length - 1]!;
    kernels.reset();
    const names = [
      ...lstmStepInputNames(layers.length),
      'dLogits',
      'activations',
      ...layers.flatMap((_, l) => [`dh${l}`, `dc${l}`]),
    ];
    const address: Record<string, number> = {};
    for (const name of names) address[name] = kernels.alloc(sizeOf(info(name)));
    const hidden = layers.map((units) => kernels.alloc(units * n));
    const da = kernels.alloc(4 * Math.max(...layers) * n);
    const features = kernels.alloc(2 * n);
    const dGradient = kernels.alloc(n);
    const dh = layers.map((units) => kernels.alloc(units * n));
    const dKernel = layers.map((units, l) => kernels.alloc(4 * units * (inputSizeOf(layers, l) + units + 1)));
    const dHeadW = kernels.alloc(outputs * top);
    const dHeadB = kernels.alloc(outputs);
    for (const name of names) kernels.view(address[name]!, sizeOf(info(name))).set(io.read(info(name)));

    // Layer l's activations start at row 2 + Σ_{m<l} 5H_m; h' = o ⊙ tanh(c') is recomputed.
    const actAt: number[] = [];
    let row = 2;
    layers.forEach((units, l) => {
      actAt.push(address.activations! + row * n * 4);
      k.multiply(units * n, actAt[l]! + 2 * units * n * 4, actAt[l]! + 4 * units * n * 4, hidden[l]!);
      row += 5 * units;
    });
    // Head: logits = W·h + b.
    k.gemmNT(outputs, top, n, address.dLogits!, n, hidden[layers.length - 1]!, n, dHeadW, top, 0);
    k.rowSums(outputs, n, address.dLogits!, n, dHeadB, 1, 0);
    kernels
      .view(dh[layers.length - 1]!, top * n)
      .set(kernels.view(address[`dh${layers.length - 1}`]!, top * n));
    k.gemm(top, n, outputs, address.headW!, 1, top, address.dLogits!, n, dh[layers.length - 1]!, n, 1);
    for (let l = layers.length - 1; l >= 0; l--) {
      const units = layers[l]!;
      const inputSize = inputSizeOf(layers, l);
      const ld = inputSize + units + 1;
      const kernel = address[`kernel${l}`]!;
      const dc = address[`dc${l}`]!;
      // dc becomes the gradient of c_prev in place.
      k.lstmCellBackward(
        units * n,
        actAt[l]!,
        actAt[l]! + 4 * units * n * 4,
        address[`c${l}`]!,
        dh[l]!,
        dc,
        da,
      );
      const x = l === 0 ? address.activations! : hidden[l - 1]!;
      k.gemmNT(4 * units, inputSize, n, da, n, x, n, dKernel[l]!, ld, 0);
      k.gemmNT(4 * units, units, n, da, n, address[`h${l}`]!, n, dKernel[l]! + inputSize * 4, ld, 0);
      k.rowSums(4 * units, n, da, n, dKernel[l]! + (inputSize + units) * 4, ld, 0);
      // dh now carries the gradient of h_prev (the recurrent input).
      k.gemm(units, n, 4 * units, kernel + inputSize * 4, 1, ld, da, n, dh[l]!, n, 0);
      if (l > 0) {
        const below = dh[l - 1]!;
        kernels.view(below, inputSize * n).set(kernels.view(address[`dh${l - 1}`]!, inputSize * n));
        k.gemm(inputSize, n, 4 * units, kernel, 1, ld, da, n, below, n, 1);
      } else {
        k.gemm(2, n, 4 * units, kernel, 1, ld, da, n, features, n, 0);
        k.logAndSignBackward(n, address.gradient!, features, dGradient, preprocessK);
      }
    }
    const out = (at: number, shape: number[]) => io.write(shape, kernels.view(at, shape[0]! * shape[1]!));
    return [
      out(dGradient, [1, n]),
      ...layers.flatMap((units, l) => [out(dh[l]!, [units, n]), out(address[`dc${l}`]!, [units, n])]),
      ...layers.map((units, l) => out(dKernel[l]!, [4 * units, inputSizeOf(layers, l) + units + 1])),
      out(dHeadW, [outputs, top]),
      out(dHeadB, [outputs, 1]),
    ];
  };
}

function inputSizeOf(layers: number[], l: number): number {
  return l === 0 ? 2 : layers[l - 1]!;
}

function sizeOf(t: tf.TensorInfo): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

for (const backendName of FUSED_KERNEL_BACKENDS) {
  for (const [kernelName, make] of [
    [LSTM_OPTIMIZER_STEP, forward],
    [LSTM_OPTIMIZER_STEP_GRAD, backward],
  ] as const) {
    if (!tf.getKernel(kernelName, backendName)) {
      tf.registerKernel({
        kernelName,
        backendName,
        kernelFunc: make(backendName) as unknown as tf.KernelFunc,
      });
    }
  }
}
