import type * as tf from '@tensorflow/tfjs';

/** A backend as a kernel function sees it (the parts a fused kernel uses). */
interface WasmBackendLike {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  makeOutput(
    shape: number[],
    dtype: 'float32' | 'int32',
    memoryOffset?: number,
    values?: Float32Array | Int32Array,
  ): tf.TensorInfo;
}
interface CpuBackendLike {
  readSync(dataId: tf.DataId): Float32Array;
  makeTensorInfo(
    shape: number[],
    dtype: 'float32' | 'int32',
    values: Float32Array | Int32Array,
  ): tf.TensorInfo;
}

/** Backends with fused recurrent kernels: the fused kernels run on the CPU next to their data. */
export const FUSED_KERNEL_BACKENDS = ['wasm', 'cpu'] as const;

/**
 * Moves float32 data between a tfjs backend and the kernel module: `read` gives the tensor's values
 * (a view into the backend's own memory where it can, so copy them before the backend allocates),
 * `write` makes a new backend tensor holding a copy of `values`.
 */
export interface TensorIO {
  read(info: tf.TensorInfo): Float32Array;
  write(shape: number[], values: Float32Array): tf.TensorInfo;
  /** A one-element int32 tensor (a snapshot handle). */
  writeHandle(id: number): tf.TensorInfo;
}

/** The {@link TensorIO} of the backend a kernel function was called with. */
export function tensorIO(backend: unknown, backendName: string): TensorIO {
  if (backendName === 'wasm') {
    const wasm = backend as WasmBackendLike;
    return {
      read: (info) => wasm.typedArrayFromHeap(info),
      write: (shape, values) => wasm.makeOutput(shape, 'float32', undefined, values),
      writeHandle: (id) => wasm.makeOutput([1], 'int32', undefined, Int32Array.of(id)),
    };
  }
  if (backendName === 'cpu') {
    const cpu = backend as CpuBackendLike;
    return {
      read: (info) => cpu.readSync(info.dataId),
      // The cpu backend keeps the array it is given: hand it its own copy.
      write: (shape, values) => cpu.makeTensorInfo(shape, 'float32', values.slice()),
      writeHandle: (id) => cpu.makeTensorInfo([1], 'int32', Int32Array.of(id)),
    };
  }
  throw new Error(`no fused recurrent kernels for the ${backendName} backend`);
}
