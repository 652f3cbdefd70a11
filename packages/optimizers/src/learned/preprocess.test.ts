import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { logAndSign } from './preprocess.js';

describe('logAndSign', () => {
  it('matches the paper formula on hand-computed values (k = 10)', () => {
    const k = 10;
    const g = [0.5, -2, 1e-6, -3e-5, 0];
    const out = logAndSign(tf.tensor1d(g), k).arraySync() as number[][];
    // |g| ≥ e^-10 ≈ 4.54e-5: (log|g|/k, sign g); else (−1, e^k·g).
    const expected = [
      [Math.log(0.5) / 10, Math.log(2) / 10, -1, -1, -1],
      [1, -1, Math.exp(10) * 1e-6, Math.exp(10) * -3e-5, 0],
    ];
    expected.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(out[i]![j]).toBeCloseTo(v, 5);
      });
    });
  });

  it('flattens any gradient shape into one column per coordinate', () => {
    expect(logAndSign(tf.zeros([3, 4]), 5).shape).toEqual([2, 12]);
  });
});
