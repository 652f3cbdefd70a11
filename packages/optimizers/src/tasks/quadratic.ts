import type { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { TaskFamilySpec } from './family-spec.js';
import type { LossAndGradient, Task, TaskFamily } from './task.js';

/** Options of {@link QuadraticFamily}. */
export interface QuadraticOptions {
  /** Dimension n of θ. Default 10, as in the paper. */
  dims?: number;
  /** Standard deviation of W, y and θ₀. Default 1. */
  stddev?: number;
}

/**
 * A batch of quadratics f(θ) = ‖Wθ − y‖², each with its own W `[n × n]` and y `[n]`.
 * The gradient 2·Wᵀ(Wθ − y) is computed analytically, in one batched matmul.
 */
export class QuadraticTask implements Task {
  readonly name = 'quadratic';
  readonly numInstances: number;
  readonly numParams: number;
  private readonly w: tf.Tensor3D;
  private readonly y: tf.Tensor3D;
  private readonly theta0: tf.Tensor2D;

  constructor(w: tf.Tensor3D, y: tf.Tensor2D, theta0: tf.Tensor2D) {
    this.numInstances = w.shape[0];
    this.numParams = w.shape[2];
    this.w = w;
    this.y = y.reshape([this.numInstances, w.shape[1], 1]) as tf.Tensor3D;
    y.dispose();
    this.theta0 = theta0;
  }

  initialParams(): tf.Tensor2D {
    return this.theta0.clone();
  }

  private residual(params: tf.Tensor2D): tf.Tensor3D {
    const theta = params.reshape([this.numInstances, this.numParams, 1]) as tf.Tensor3D;
    return tf.sub(tf.matMul(this.w, theta), this.y);
  }

  loss(params: tf.Tensor2D, _step?: number): tf.Tensor1D {
    return tf.tidy(() => tf.sum(tf.square(this.residual(params)), [1, 2]) as tf.Tensor1D);
  }

  lossAndGradient(params: tf.Tensor2D, _step?: number): LossAndGradient {
    return tf.tidy(() => {
      const r = this.residual(params);
      const loss = tf.sum(tf.square(r), [1, 2]) as tf.Tensor1D;
      const gradient = tf
        .mul(tf.matMul(this.w, r, true, false), 2)
        .reshape([this.numInstances, this.numParams]);
      return { loss, gradient: gradient as tf.Tensor2D };
    });
  }

  subset(start: number, count: number): QuadraticTask {
    const y = tf.tidy(() => tf.slice(this.y, start, count).reshape([count, this.w.shape[1]])) as tf.Tensor2D;
    return new QuadraticTask(tf.slice(this.w, start, count), y, tf.slice(this.theta0, start, count));
  }

  dispose(): void {
    tf.dispose([this.w, this.y, this.theta0]);
  }
}

/**
 * The quadratic family of Andrychowicz et al. (2016): f(θ) = ‖Wθ − y‖² with n = 10 and
 * W, y, θ₀ drawn i.i.d. from N(0, 1).
 *
 * @example
 * ```ts
 * const task = new QuadraticFamily().sample(new Rng(0).child('train'), 128);
 * const loss = task.loss(task.initialParams(), 0); // [128]
 * ```
 */
export class QuadraticFamily implements TaskFamily {
  readonly name = 'quadratic';
  readonly dims: number;
  readonly stddev: number;

  constructor(options: QuadraticOptions = {}) {
    this.dims = options.dims ?? 10;
    this.stddev = options.stddev ?? 1;
    if (!Number.isInteger(this.dims) || this.dims < 1)
      throw new RangeError(`dims must be a positive integer, got ${this.dims}`);
  }

  sample(rng: Rng, numInstances: number): QuadraticTask {
    const n = this.dims;
    const w = rng.child('w').normalTensor([numInstances, n, n], 0, this.stddev) as tf.Tensor3D;
    const y = rng.child('y').normalTensor([numInstances, n], 0, this.stddev) as tf.Tensor2D;
    const theta0 = rng.child('theta0').normalTensor([numInstances, n], 0, this.stddev) as tf.Tensor2D;
    return new QuadraticTask(w, y, theta0);
  }

  describe() {
    return { family: 'quadratic', dims: this.dims, stddev: this.stddev };
  }

  spec(): TaskFamilySpec {
    return { family: 'quadratic', dims: this.dims, stddev: this.stddev };
  }

  dispose(): void {}
}
