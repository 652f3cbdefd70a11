import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { maxScaledError } from '../kernels/kernel-agreement.js';
import { Rng } from '../random/rng.js';
import { maxRelativeError } from '../testing/gradient-check.js';
import { batchedProduct } from './batched-product.js';
import { fastTanh } from './fast-tanh.js';
import { matMulPlainGrad } from './mat-mul-plain-grad.js';

describe('fastTanh', () => {
  it('matches Math.tanh and its derivative 1 − tanh²', () => {
    const xs = [-20, -3, -0.5, 0, 1e-3, 0.7, 4, 20];
    const x = tf.tensor1d(xs);
    const value = fastTanh(x).dataSync();
    const grad = tf
      .grad((v: tf.Tensor) => tf.sum(fastTanh(v)))(x)
      .dataSync();
    xs.forEach((v, i) => {
      expect(value[i]).toBeCloseTo(Math.tanh(v), 6);
      expect(grad[i]).toBeCloseTo(1 - Math.tanh(v) ** 2, 5);
    });
  });
});

describe('matMulPlainGrad', () => {
  // Shapes on both sides of the weight gradient's two layouts (a narrow product is computed transposed).
  it.each([
    [7, 5, 4],
    [300, 64, 5],
    [300, 64, 1],
    [130, 9, 33],
    [5, 3, 12],
  ])('gives the same value and gradients as tf.matMul ([%i × %i]·[%i])', (rows, inner, cols) => {
    const rng = new Rng(3);
    const a = rng.child('a').normalTensor([rows, inner]) as tf.Tensor2D;
    const b = rng.child('b').normalTensor([inner, cols]) as tf.Tensor2D;
    const weights = rng.child('w').normalTensor([rows, cols]);
    const loss = (f: typeof tf.matMul) => (x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.square(f(x as tf.Tensor2D, y as tf.Tensor2D)), weights)) as tf.Scalar;
    const [ga, gb] = tf.grads(loss(matMulPlainGrad as typeof tf.matMul))([a, b]);
    const [ra, rb] = tf.grads(loss(tf.matMul))([a, b]);
    expect(maxRelativeError(matMulPlainGrad(a, b).dataSync(), tf.matMul(a, b).dataSync())).toBeLessThan(1e-6);
    expect(maxRelativeError(ga!.dataSync(), ra!.dataSync())).toBeLessThan(1e-5);
    // dB sums over every row of a in the kernel module's order: the fused kernels' criterion, an
    // error within 1e-5 of the largest entry (per-entry relative error is float32 rounding over 300 terms).
    expect(maxScaledError(gb!.dataSync(), rb!.dataSync())).toBeLessThan(1e-5);
  });

  it('passes gradients to variables (tf.variableGrads)', () => {
    const w = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    const x = tf.tensor2d([1, -1], [1, 2]);
    const { grads } = tf.variableGrads(() => tf.sum(matMulPlainGrad(x, w)) as tf.Scalar, [w]);
    // d/dW Σ(x·W) = xᵀ·1.
    expect(Array.from(grads[w.name]!.dataSync())).toEqual([1, 1, -1, -1]);
    w.dispose();
  });
});

describe('batchedProduct', () => {
  it.each([
    [3, 7, 5, 4],
    [16, 200, 16, 100],
    [4, 100, 200, 16],
    [2, 1, 9, 1],
  ])(
    'gives the value and gradients of tf.matMul per matrix ([%i × %i × %i]·[%i])',
    (count, rows, inner, cols) => {
      const rng = new Rng(5);
      const a = rng.child('a').normalTensor([count, rows, inner]) as tf.Tensor3D;
      const b = rng.child('b').normalTensor([count, inner, cols]) as tf.Tensor3D;
      const weights = rng.child('w').normalTensor([count, rows, cols]);
      const loss = (f: (x: tf.Tensor3D, y: tf.Tensor3D) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) =>
        tf.sum(tf.mul(tf.square(f(x as tf.Tensor3D, y as tf.Tensor3D)), weights)) as tf.Scalar;
      const reference = (x: tf.Tensor3D, y: tf.Tensor3D) => tf.matMul(x, y);
      const [ga, gb] = tf.grads(loss(batchedProduct))([a, b]);
      const [ra, rb] = tf.grads(loss(reference))([a, b]);
      // The kernel module's GEMM sums in its own order: within 1e-5 of each result's largest entry.
      expect(maxScaledError(batchedProduct(a, b).dataSync(), reference(a, b).dataSync())).toBeLessThan(1e-5);
      expect(maxScaledError(ga!.dataSync(), ra!.dataSync())).toBeLessThan(1e-5);
      expect(maxScaledError(gb!.dataSync(), rb!.dataSync())).toBeLessThan(1e-5);
    },
  );

  it('names both shapes when they do not multiply', () => {
    expect(() => batchedProduct(tf.zeros([2, 3, 4]), tf.zeros([2, 5, 1]))).toThrow(/\[2,3,4\] and \[2,5,1\]/);
  });
});
