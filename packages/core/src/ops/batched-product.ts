import * as tf from '@tensorflow/tfjs';
import { hasFusedKernels } from '../kernels/kernel-choice.js';
import { BATCHED_PRODUCT } from './batched-product-kernel.js';

/**
 * a[i]·b[i] (a read as `[N × k × m]` and transposed with `transposeA`): the kernel module's GEMM
 * where it runs (wasm, cpu), tfjs's batched matMul elsewhere.
 */
function product(a: tf.Tensor3D, b: tf.Tensor3D, transposeA: boolean): tf.Tensor3D {
  if (hasFusedKernels(tf.getBackend(), BATCHED_PRODUCT))
    return (tf.engine().runKernel(BATCHED_PRODUCT, { a, b }, { transposeA }) as tf.Tensor3D[])[0]!;
  return tf.matMul(a, b, transposeA, false);
}

const batchedProductWithGrad = tf.customGrad((a, b, save) => {
  (save as tf.GradSaveFunc)([a as tf.Tensor, b as tf.Tensor]);
  return {
    value: product(a as tf.Tensor3D, b as tf.Tensor3D, false),
    gradFunc: (dy, saved) => {
      const [x, y] = saved as [tf.Tensor3D, tf.Tensor3D];
      const dc = dy as tf.Tensor3D;
      return [product(dc, tf.transpose(y, [0, 2, 1]), false), product(x, dc, true)];
    },
  };
}) as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;

/**
 * `a[i] · b[i]` for each of N pairs of matrices, a `[N × m × k]` and b `[N × k × n]` → `[N × m × n]`,
 * differentiable. tfjs's batched matMul runs on wasm at about 1.5 GFLOP/s on many small matrices
 * (measured: [12,800 × 8 × 64]·[12,800 × 64 × 9] in 42 ms); this runs each pair through the kernel
 * module's GEMM, and its gradient reads a transposed in place. The gradient of a takes an explicit
 * transpose of b, so put the smaller matrix second.
 */
export function batchedProduct(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (a.shape[0] !== b.shape[0] || a.shape[2] !== b.shape[1])
    throw new Error(`batchedProduct: shapes [${a.shape}] and [${b.shape}] do not multiply`);
  return batchedProductWithGrad(a, b);
}
