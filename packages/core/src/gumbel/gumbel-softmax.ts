import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { straightThrough } from '../discrete-gradients/straight-through.js';
import { type Rng, toRng } from '../random/rng.js';
import { ConfigError, parseConfig } from '../validation/config-error.js';
import { positiveNumber, seedSchema } from '../validation/schemas.js';
import { perturbLogits } from './gumbel.js';

/** Options of {@link gumbelSoftmax}. */
export interface GumbelSoftmaxOptions {
  /** τ > 0: a number, or a scalar tensor (e.g. a learnable temperature). Default 1. */
  temperature?: number | tf.Scalar;
  /** Forward pass is the exact one-hot of the argmax; backward is the soft gradient (ST-Gumbel). */
  hard?: boolean;
  /** Category axis. Default −1. */
  axis?: number;
  /** Random stream, or a seed for a fresh one, for the Gumbel noise. Default: {@link globalRng}. */
  seed?: Rng | number | string;
}

const optionsSchema = z.object({
  temperature: z.union([positiveNumber, z.instanceof(tf.Tensor)]).optional(),
  hard: z.boolean().optional(),
  axis: z.number().int().optional(),
  seed: z.union([seedSchema, z.object({ uniform: z.function() }).loose()]).optional(),
});

/**
 * Checks that `logits` is a float tensor of rank ≥ 1 and resolves `axis` to a non-negative index.
 * Throws {@link ConfigError} naming `field` otherwise.
 */
export function resolveCategoryAxis(logits: tf.Tensor, axis = -1, field = 'logits'): number {
  if (!(logits instanceof tf.Tensor)) throw new ConfigError(field, logits, 'expected a tf.Tensor');
  if (logits.rank < 1) throw new ConfigError(field, logits, 'expected rank >= 1 with categories on an axis');
  const resolved = axis < 0 ? logits.rank + axis : axis;
  if (resolved < 0 || resolved >= logits.rank) {
    throw new ConfigError('axis', axis, `out of range for logits of rank ${logits.rank}`);
  }
  return resolved;
}

/** Applies `fn` with `axis` moved last, then moves it back; softmax/oneHot/topk work on the last axis only. */
export function onLastAxis(x: tf.Tensor, axis: number, fn: (lastAxis: tf.Tensor) => tf.Tensor): tf.Tensor {
  if (axis === x.rank - 1) return fn(x);
  return tf.tidy(() => {
    const perm = [...Array(x.rank).keys()].filter((d) => d !== axis).concat(axis);
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return tf.transpose(fn(tf.transpose(x, perm)), inverse);
  });
}

/** Exact one-hot of the argmax along the last axis, float32. */
export function oneHotArgMax(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.oneHot(tf.argMax(x, -1), x.shape[x.rank - 1]!).asType('float32'));
}

/**
 * Gumbel-softmax / Concrete relaxation (Jang et al. 2017; Maddison et al. 2017):
 * `softmax((logits + G) / τ)` along `axis`, with G standard Gumbel noise.
 *
 * With `hard: true` the forward value is the exact one-hot of `argmax(logits + G)` (an exact
 * categorical sample) while the gradient is that of the soft sample: the straight-through
 * Gumbel estimator.
 *
 * @example
 * ```ts
 * const logits = tf.variable(tf.zeros([32, 5]));
 * const y = gumbelSoftmax(logits, { temperature: 0.5, hard: true, seed: rng });
 * ```
 */
export function gumbelSoftmax(logits: tf.Tensor, options: GumbelSoftmaxOptions = {}): tf.Tensor {
  const opts = parseConfig(optionsSchema, options, 'gumbelSoftmax');
  const axis = resolveCategoryAxis(logits, opts.axis ?? -1);
  const temperature = options.temperature ?? 1;
  const rng = toRng(options.seed);
  return onLastAxis(logits, axis, (last) =>
    tf.tidy(() => {
      const perturbed = perturbLogits(last, rng);
      const soft = tf.softmax(tf.div(perturbed, temperature));
      if (!opts.hard) return soft;
      const hard = oneHotArgMax(perturbed);
      return straightThrough(soft, () => hard);
    }),
  );
}
