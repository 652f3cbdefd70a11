import type * as tf from '@tensorflow/tfjs';
import { resultsOnBackends } from '../backend/results-on-backends.js';

/**
 * max |a − b| / max(1, max |b|): the disagreement of a fused kernel's result `a` with its composite
 * reference `b`, relative to the reference's scale (so entries near zero do not blow it up). The
 * ops' tests require it below 1e-5 in float32.
 */
export function maxScaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / scale;
}

/**
 * Runs `compute` with the fused kernels and with the composite ones on `backend` (reading every
 * result asynchronously, so a GPU backend works) and returns each result's {@link maxScaledError}.
 * `compute` returns tensors the caller may dispose; its other tensors it disposes itself.
 */
export async function fusedAgainstComposite(
  backend: string,
  compute: (kernels: 'fused' | 'composite') => tf.Tensor[],
): Promise<number[]> {
  const on = async (kernels: 'fused' | 'composite') =>
    (await resultsOnBackends([backend], () => compute(kernels)))[backend]!;
  const [fused, composite] = [await on('fused'), await on('composite')];
  if (fused.length !== composite.length)
    throw new Error(`fused gave ${fused.length} results, composite ${composite.length}`);
  return fused.map((values, i) => maxScaledError(values, composite[i]!));
}
