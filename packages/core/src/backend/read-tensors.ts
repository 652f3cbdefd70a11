import * as tf from '@tensorflow/tfjs';
import { checkDevice, type DeviceFailureError, unlessDeviceLost } from './device-failure.js';

/**
 * Reads tensors to the host in one transfer, as float32 (int32 values up to 2^24 are exact).
 * Asynchronous because a GPU backend (webgpu) can only read that way in Node; on the CPU
 * backends (wasm, cpu) the read is immediate. One transfer, not one per tensor, because each
 * read of a GPU tensor waits for the queue to drain. The tensors stay the caller's; every array
 * returned is a fresh copy. Throws a {@link DeviceFailureError} when the GPU device failed.
 *
 * @example
 * ```ts
 * const [loss, norm] = await readTensors([lossTensor, normTensor]);
 * ```
 */
export async function readTensors(tensors: readonly tf.Tensor[]): Promise<Float32Array[]> {
  if (tensors.length === 0) return [];
  const joined = tf.tidy(() =>
    tf.concat(tensors.map((t) => tf.reshape(t.dtype === 'float32' ? t : tf.cast(t, 'float32'), [-1]))),
  );
  try {
    // Only a GPU backend's device can fail; a run resumed on wasm after one did reads as usual.
    const onGpu = tf.getBackend() === 'webgpu';
    const all = (await (onGpu ? unlessDeviceLost(joined.data()) : joined.data())) as Float32Array;
    if (onGpu) checkDevice();
    let offset = 0;
    return tensors.map((t) => {
      const part = all.slice(offset, offset + t.size);
      offset += t.size;
      return part;
    });
  } finally {
    joined.dispose();
  }
}

/** The first value of each tensor (losses, norms, flags), in one transfer. */
export async function readScalars(tensors: readonly tf.Tensor[]): Promise<number[]> {
  return (await readTensors(tensors)).map((values) => values[0]!);
}
