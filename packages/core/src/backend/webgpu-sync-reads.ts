import * as tf from '@tensorflow/tfjs';

/**
 * Why synchronous reads fail on webgpu in Node: tfjs-backend-webgpu's `readSync` copies through an
 * `OffscreenCanvas`, which Node does not have; asynchronous reads (`await tensor.data()`) work.
 */
export const WEBGPU_SYNC_READS =
  "on webgpu in Node, synchronous reads of GPU tensors (dataSync, arraySync) fail: tfjs-backend-webgpu makes them through OffscreenCanvas, which Node lacks. Read with await tensor.data() (or @metagrad/core's readTensors), as metagrad's trainers and evaluators do";

/** Replaces tfjs-webgpu's "OffscreenCanvas is not defined" on a synchronous read with the reason and the fix. */
export function explainSyncReads(): void {
  const backend = tf.findBackend('webgpu') as {
    readSync?: (dataId: object) => unknown;
    explained?: true;
  } | null;
  if (!backend?.readSync || backend.explained) return;
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (dataId: object) => {
    try {
      return readSync(dataId);
    } catch (error) {
      if (!('OffscreenCanvas' in globalThis)) throw new Error(WEBGPU_SYNC_READS);
      throw error;
    }
  };
  backend.explained = true;
}
