import * as tf from '@tensorflow/tfjs';
import type { GruPolicy } from './gru-policy.js';

/**
 * PopArt's output-preserving rescale: when the statistics move from (μ, σ) to (μ', σ'), the value
 * head's W ← W σ/σ' and b ← (σ b + μ − μ')/σ', so μ' + σ'·(W'h + b') = μ + σ·(W h + b) for every h.
 */
export function preserveValueOutputs(
  network: GruPolicy,
  before: { mean: number; std: number },
  after: { mean: number; std: number },
): void {
  const { valueW, valueB } = network.weights;
  tf.tidy(() => {
    valueW!.assign(tf.mul(valueW!, before.std / after.std));
    valueB!.assign(tf.div(tf.add(tf.mul(valueB!, before.std), before.mean - after.mean), after.std));
  });
}
