import * as tf from '@tensorflow/tfjs';
import { useBackend } from './backend.js';

/**
 * Runs `compute` on each backend in turn and reads every tensor it returns asynchronously (the only
 * way webgpu can read in Node), then disposes them and restores the backend that was active. For
 * checking that code computes the same numbers on a GPU backend as on cpu.
 *
 * @example
 * ```ts
 * const { cpu, webgpu } = await resultsOnBackends(['cpu', 'webgpu'], () => tf.matMul(a(), b()));
 * console.log(maxScaledError(webgpu![0]!, cpu![0]!));
 * ```
 */
export async function resultsOnBackends(
  backends: string[],
  compute: () => tf.Tensor | tf.Tensor[],
): Promise<Record<string, Float32Array[]>> {
  const initial = tf.getBackend();
  const results: Record<string, Float32Array[]> = {};
  try {
    for (const name of backends) {
      await useBackend(name);
      const tensors = [compute()].flat();
      try {
        results[name] = await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
      } finally {
        tf.dispose(tensors);
      }
    }
  } finally {
    await useBackend(initial);
  }
  return results;
}
