import {
  registerWebGpuKernel,
  type WebGpuBackend,
  type WebGpuKernelArgs,
  webgpuKernel,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import {
  LSTM_OPTIMIZER_STEP,
  LSTM_OPTIMIZER_STEP_GRAD,
  type LstmOptimizerStepAttrs,
  lstmStepInputNames,
} from './lstm-optimizer-step-kernel.js';
import {
  adjointLayout,
  lstmAdjointProgram,
  lstmForwardProgram,
  stepLayout,
} from './lstm-optimizer-step-wgsl.js';

/** Tensors joined along rows inside a kernel; the caller disposes the result. */
function joinRows(parts: tf.TensorInfo[], backend: WebGpuBackend): tf.TensorInfo {
  return webgpuKernel('Concat')({ inputs: parts, backend, attrs: { axis: 0 } });
}

/** Rows [row, row + count) of a `[R, N]` tensor, as a new tensor. */
function rowsOf(x: tf.TensorInfo, row: number, count: number, backend: WebGpuBackend): tf.TensorInfo {
  return webgpuKernel('Slice')({
    inputs: { x },
    backend,
    attrs: { begin: [row, 0], size: [count, x.shape[1]!] },
  });
}

/**
 * The forward kernel on webgpu: the head's output `[K, N]`, then (where the wasm kernel returns its
 * snapshot handle) every activation as rows `[R, N]`, then h' and c' of each layer.
 */
function forward({ inputs, backend, attrs }: WebGpuKernelArgs): tf.TensorInfo[] {
  const a = attrs as unknown as LstmOptimizerStepAttrs;
  const at = stepLayout(a);
  const states = joinRows(
    a.layers.flatMap((_, l) => [inputs[`h${l}`]!, inputs[`c${l}`]!]),
    backend,
  );
  const flat = [...a.layers.map((_, l) => inputs[`kernel${l}`]!), inputs.headW!, inputs.headB!].map((x) =>
    webgpuKernel('Reshape')({ inputs: { x }, backend, attrs: { shape: [-1] } }),
  );
  const weights = webgpuKernel('Concat')({ inputs: flat, backend, attrs: { axis: 0 } });
  const packed = backend.runWebGPUProgram(
    lstmForwardProgram(a),
    [inputs.gradient!, states, weights],
    'float32',
  );
  for (const t of [states, weights, ...flat]) backend.disposeData(t.dataId);
  return [
    rowsOf(packed, at.headRows, a.outputs, backend),
    packed,
    ...a.layers.flatMap((units, l) => {
      const row = at.perLayer[l]!.rows;
      return [
        rowsOf(packed, row + 5 * units, units, backend),
        rowsOf(packed, row + 6 * units, units, backend),
      ];
    }),
  ];
}

/** The adjoint kernel on webgpu: see {@link lstmAdjointProgram} (its inputs come joined). */
function adjoint({ inputs, backend, attrs }: WebGpuKernelArgs): tf.TensorInfo[] {
  const names = ['dOut', 'dStates', 'states', 'forward', 'weights', 'gradient'];
  const program = lstmAdjointProgram(attrs as unknown as LstmOptimizerStepAttrs);
  return [
    backend.runWebGPUProgram(
      program,
      names.map((name) => inputs[name]!),
      'float32',
    ),
  ];
}

registerWebGpuKernel(LSTM_OPTIMIZER_STEP, forward);
registerWebGpuKernel(LSTM_OPTIMIZER_STEP_GRAD, adjoint);

/**
 * Every input's gradient, in {@link lstmStepInputNames} order: the adjoint kernel gives the gate
 * pre-activations', the states' and the gradient's; the weights' follow by one product per layer
 * over all coordinates.
 */
function gradients(
  dys: tf.Tensor2D[],
  named: Record<string, tf.Tensor2D>,
  packed: tf.Tensor2D,
  a: LstmOptimizerStepAttrs,
) {
  const at = stepLayout(a);
  const out = adjointLayout(a);
  const n = a.coordinates;
  const states = a.layers.flatMap((_, l) => [named[`h${l}`]!, named[`c${l}`]!]);
  const kernels = a.layers.map((_, l) => named[`kernel${l}`]!);
  const weights = tf.concat([...kernels, named.headW!, named.headB!].map((w) => tf.reshape(w, [-1])));
  const [adjointRows] = tf.engine().runKernel(
    LSTM_OPTIMIZER_STEP_GRAD,
    {
      dOut: dys[0]!,
      dStates: tf.concat(dys.slice(1), 0),
      states: tf.concat(states, 0),
      forward: packed,
      weights,
      gradient: named.gradient!,
    },
    a as unknown as tf.NamedAttrMap,
  ) as tf.Tensor2D[];
  const rows = (x: tf.Tensor2D, row: number, count: number) => tf.slice(x, [row, 0], [count, n]);
  const ones = tf.ones([1, n]);
  const layerOutput = (l: number) => rows(packed, at.perLayer[l]!.rows + 5 * a.layers[l]!, a.layers[l]!);
  const dKernels = a.layers.map((units, l) => {
    const x = l === 0 ? rows(packed, 0, 2) : layerOutput(l - 1);
    const xh = tf.concat([x, named[`h${l}`]!, ones], 0);
    return tf.matMul(rows(adjointRows!, out.gates[l]!, 4 * units), xh, false, true);
  });
  const dStates = a.layers.flatMap((units, l) => {
    const p = at.perLayer[l]!;
    return [rows(adjointRows!, out.states + p.h, units), rows(adjointRows!, out.states + p.c, units)];
  });
  return [
    rows(adjointRows!, out.gradient, 1),
    ...dStates,
    ...dKernels,
    tf.matMul(dys[0]!, layerOutput(a.layers.length - 1), false, true),
    tf.sum(dys[0]!, 1, true),
  ];
}

/**
 * The coordinatewise LSTM optimizer's step on webgpu's fused kernels: one dispatch forward, one
 * backward; the gradient runs the adjoint kernel on the forward's activations, which the tape saves
 * only while it records. Returns the head's output, then h' and c' of each layer.
 */
export function lstmOptimizerStepOnWebGpu(
  inputs: Record<string, tf.Tensor>,
  attrs: LstmOptimizerStepAttrs,
): tf.Tensor2D[] {
  const names = lstmStepInputNames(attrs.layers.length);
  // customGrad differentiates one tensor: the outputs travel as rows of one, split below.
  const rowCounts = [attrs.outputs, ...attrs.layers.flatMap((units) => [units, units])];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const tensors = args as tf.Tensor[];
    const named = Object.fromEntries(names.map((name, i) => [name, tensors[i]!]));
    const [output, packed, ...next] = tf
      .engine()
      .runKernel(LSTM_OPTIMIZER_STEP, named, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D[];
    save([...tensors, packed!]);
    return {
      value: tf.concat([output!, ...next], 0),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const kept = Object.fromEntries(names.map((name, i) => [name, saved[i] as tf.Tensor2D]));
        const dys = tf.split(dy, rowCounts, 0) as tf.Tensor2D[];
        return gradients(dys, kept, saved[names.length] as tf.Tensor2D, attrs);
      },
    };
  });
  const rows = op(...names.map((name) => inputs[name]!));
  const outputs = tf.split(rows, rowCounts, 0) as tf.Tensor2D[];
  rows.dispose();
  return outputs;
}
