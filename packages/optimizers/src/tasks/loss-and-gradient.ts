import * as tf from '@tensorflow/tfjs';
import type { LossAndGradient, Task } from './task.js';

/**
 * Loss and gradient of a task at `params`: the task's analytic version when it has one,
 * otherwise reverse-mode autodiff of `loss`. Instances are independent, so the gradient of
 * the summed loss is the per-instance gradient.
 *
 * @example
 * ```ts
 * const { loss, gradient } = lossAndGradient(task, params, step); // [B], [B, n]
 * ```
 */
export function lossAndGradient(task: Task, params: tf.Tensor2D, step: number): LossAndGradient {
  if (task.lossAndGradient) return task.lossAndGradient(params, step);
  let perInstance: tf.Tensor1D | undefined;
  const result = tf.valueAndGrad((p: tf.Tensor) => {
    perInstance = tf.keep(task.loss(p as tf.Tensor2D, step));
    return tf.sum(perInstance);
  })(params);
  result.value.dispose();
  return { loss: perInstance!, gradient: result.grad as tf.Tensor2D };
}
