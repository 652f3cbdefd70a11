import * as tf from '@tensorflow/tfjs';

/**
 * A compute shader as tfjs-backend-webgpu compiles and dispatches it: tfjs adds the bindings (the
 * output `result`, one read-only array per `variableNames` entry, and its uniforms) around
 * `getUserCode()`, which defines `fn main(index: i32)`.
 */
export interface WebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  /** Compiled pipelines are cached by this key (with the inputs' ranks and types). */
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  getUserCode(): string;
}

/** The parts of tfjs-backend-webgpu's backend a fused kernel uses. */
export interface WebGpuBackend {
  runWebGPUProgram(program: WebGpuProgram, inputs: tf.TensorInfo[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: tf.DataId): void;
}

/** What tfjs passes a kernel function on webgpu. */
export interface WebGpuKernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: WebGpuBackend;
  attrs: tf.NamedAttrMap;
}

/**
 * Binds tfjs's uniforms in a shader that reads none of them: a pipeline's layout keeps only the
 * bindings its shader uses, and tfjs binds its uniforms to every program.
 */
export const KEEP_UNIFORMS = '_ = uniforms.NAN;';

/** Another webgpu kernel (Concat, Slice, Reshape), to call from inside one: kernels cannot call tfjs ops. */
export function webgpuKernel(name: string) {
  return (args: { inputs: object; backend: WebGpuBackend; attrs: object }): tf.TensorInfo => {
    const kernel = tf.getKernel(name, 'webgpu');
    if (!kernel) throw new Error(`tfjs-backend-webgpu has no ${name} kernel`);
    return kernel.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
  };
}

/** Registers a fused kernel's webgpu body (once per thread). */
export function registerWebGpuKernel(
  kernelName: string,
  kernelFunc: (args: WebGpuKernelArgs) => tf.TensorInfo[],
): void {
  if (tf.getKernel(kernelName, 'webgpu')) return;
  tf.registerKernel({
    kernelName,
    backendName: 'webgpu',
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
  });
}
