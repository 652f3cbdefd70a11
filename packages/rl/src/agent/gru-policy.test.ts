import { chiSquareTest, Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { GruPolicy } from './gru-policy.js';

const shape = { inputSize: 3, hidden: 2000, actions: 2 };

function updateGateBias(policy: GruPolicy): Float32Array {
  return policy.weights.bz!.dataSync() as Float32Array;
}

describe('GruPolicy initialisation', () => {
  it('starts the update-gate bias at zero by default', () => {
    const policy = new GruPolicy({ ...shape, hidden: 8 }, new Rng(1));
    expect(Array.from(updateGateBias(policy))).toEqual(new Array(8).fill(0));
    policy.dispose();
  });

  it('spreads chrono memory timescales 1/z uniformly over [2, maxTimescale]', () => {
    const maxTimescale = 100;
    const policy = new GruPolicy(shape, new Rng(2), { updateGateBias: 'chrono', maxTimescale });
    // z = σ(b) = 1/(1 + u) with u ~ U[1, T − 1], so the timescale 1/z = 1 + u ~ U[2, T].
    const timescales = Array.from(updateGateBias(policy), (b) => 1 + Math.exp(-b));
    expect(Math.min(...timescales)).toBeGreaterThanOrEqual(2 - 1e-4);
    expect(Math.max(...timescales)).toBeLessThanOrEqual(maxTimescale + 1e-3);
    const bins = 10;
    const counts = new Array(bins).fill(0);
    for (const s of timescales)
      counts[Math.min(bins - 1, Math.floor(((s - 2) / (maxTimescale - 2)) * bins))]++;
    // Goodness of fit to the uniform law at significance level 0.001 (fixed seed).
    expect(chiSquareTest(counts, new Array(bins).fill(1 / bins)).pValue).toBeGreaterThan(1e-3);
    // Only the update gate changes: the reset and candidate biases stay zero.
    expect(Array.from(policy.weights.br!.dataSync()).every((v) => v === 0)).toBe(true);
    expect(Array.from(policy.weights.bn!.dataSync()).every((v) => v === 0)).toBe(true);
    policy.dispose();
  });

  it('rejects chrono initialisation without a usable maxTimescale', () => {
    expect(
      () => new GruPolicy({ ...shape, hidden: 4 }, new Rng(3), { updateGateBias: 'chrono', maxTimescale: 2 }),
    ).toThrow(/maxTimescale > 2, got 2/);
  });
});

describe('GruPolicy with a slot memory', () => {
  it('acts step by step (rollouts) as it scores whole trials (training): same logits and values', () => {
    const memoryShape = {
      inputSize: 5,
      hidden: 8,
      actions: 3,
      embedding: 6,
      memory: { slots: 4, heads: 2, width: 3 },
    };
    const policy = new GruPolicy(memoryShape, new Rng(4));
    expect(policy.stateSize).toBe(8 + 4 * 2 * 3);
    expect(policy.featureSize).toBe(8 + 2 * 2 * 3);
    const rng = new Rng(5);
    const inputs = Array.from({ length: 9 }, (_, t) => rng.child(t).normalTensor([6, 5]) as tf.Tensor2D);
    const stepped = policy.unroll(inputs);
    const features = policy.features(tf.stack(inputs) as tf.Tensor3D);
    const whole = {
      logits: policy.policyHead(features).dataSync(),
      values: policy.valueHead(features).dataSync(),
    };
    const steppedLogits = tf.concat(stepped.logits).dataSync();
    const steppedValues = tf.concat(stepped.values).dataSync();
    // The two forms sum the memory's writes in different orders: float32 rounding only.
    steppedLogits.forEach((v, i) => {
      expect(v).toBeCloseTo(whole.logits[i]!, 5);
    });
    steppedValues.forEach((v, i) => {
      expect(v).toBeCloseTo(whole.values[i]!, 5);
    });
    policy.dispose();
  });
});
