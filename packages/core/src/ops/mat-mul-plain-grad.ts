import * as tf from '@tensorflow/tfjs';
import { hasFusedKernels } from '../kernels/kernel-choice.js';
import { TRANSPOSED_PRODUCT } from './transposed-product-kernel.js';

/**
 * aᵀ·b: the kernel module's GEMM where it runs (wasm, cpu), which reads a transposed in place; an
 * explicit transpose and a plain matMul elsewhere.
 */
function transposedProduct(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  if (hasFusedKernels(tf.getBackend(), TRANSPOSED_PRODUCT))
    return (tf.engine().runKernel(TRANSPOSED_PRODUCT, { a, b }) as tf.Tensor2D[])[0]!;
  return tf.matMul(tf.transpose(a), b);
}

const matMulWithPlainGrad = tf.customGrad((a, b, save) => {
  (save as tf.GradSaveFunc)([a as tf.Tensor, b as tf.Tensor]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy, saved) => {
      const [x, w] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(w)), transposedProduct(x, dy as tf.Tensor2D)];
    },
  };
}) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * `a · b` for 2-D tensors, with a gradient that avoids tfjs's transposed matMul, which the wasm
 * backend runs about 10× slower (measured 640 µs vs 65 + 17 µs at [128 × 64]·[64 × 64]): dA takes
 * an explicit transpose of the (small) weight, and dB = aᵀ·dy reads a transposed in place on the
 * wasm and cpu backends (a tfjs transpose of a tall activation, [12,800 × 64] in a PPO step, costs
 * more than the product).
 */
export function matMulPlainGrad(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return matMulWithPlainGrad(a, b);
}
