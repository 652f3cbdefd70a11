import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { straightThrough } from '../discrete-gradients/straight-through.js';
import { activationStore } from '../kernels/activation-store.js';
import { KERNEL_CHOICES, type KernelChoice, resolveKernels } from '../kernels/kernel-choice.js';
import { drawUniformKey, keyedUniforms, type UniformKey } from '../random/keyed-uniforms.js';
import { type Rng, shapeSize, toRng } from '../random/rng.js';
import { ConfigError, parseConfig } from '../validation/config-error.js';
import { positiveNumber, seedSchema } from '../validation/schemas.js';
import { GUMBEL_SOFTMAX, type GumbelSoftmaxAttrs } from './gumbel-softmax-kernel.js';
import './gumbel-softmax_grad.js';

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
  /**
   * `fused`: one SIMD WebAssembly kernel for noise, softmax and (hard) one-hot, with a fused adjoint
   * (wasm and cpu backends); `composite`: tfjs ops; `auto` (default): fused where available.
   * Both draw the same noise, so they give the same sample to float rounding.
   */
  kernels?: KernelChoice;
}

const optionsSchema = z.object({
  temperature: z.union([positiveNumber, z.instanceof(tf.Tensor)]).optional(),
  hard: z.boolean().optional(),
  axis: z.number().int().optional(),
  seed: z.union([seedSchema, z.object({ uniform: z.function() }).loose()]).optional(),
  kernels: z.enum(KERNEL_CHOICES).optional(),
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
 * The noise is one bulk draw keyed by two numbers from the stream (see {@link keyedUniforms}), so
 * a sample depends on the seed and the shape, not on the backend or the kernels.
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
  const hard = opts.hard ?? false;
  const key = drawUniformKey(toRng(options.seed));
  const fused = resolveKernels(opts.kernels ?? 'auto', tf.getBackend(), GUMBEL_SOFTMAX) === 'fused';
  return onLastAxis(logits, axis, (last) =>
    fused
      ? fusedGumbelSoftmax(last, temperature, hard, key)
      : compositeGumbelSoftmax(last, temperature, hard, key),
  );
}

/** The Gumbel noise of `key` for a tensor of `shape`, as tfjs ops on the uniforms. */
function gumbelNoise(shape: number[], key: UniformKey): tf.Tensor {
  return tf.tidy(() =>
    tf.neg(tf.log(tf.neg(tf.log(tf.tensor(keyedUniforms(shapeSize(shape), key), shape))))),
  );
}

function compositeGumbelSoftmax(
  logits: tf.Tensor,
  temperature: number | tf.Scalar,
  hard: boolean,
  key: UniformKey,
): tf.Tensor {
  return tf.tidy(() => {
    const perturbed = tf.add(logits, gumbelNoise(logits.shape, key));
    const soft = tf.softmax(tf.div(perturbed, temperature));
    if (!hard) return soft;
    const oneHot = oneHotArgMax(perturbed);
    return straightThrough(soft, () => oneHot);
  });
}

function fusedGumbelSoftmax(
  logits: tf.Tensor,
  temperature: number | tf.Scalar,
  hard: boolean,
  key: UniformKey,
): tf.Tensor {
  const temperatureInput = temperature instanceof tf.Tensor;
  // The kernel runs on the CPU beside its data, so reading a tensor τ costs a copy of one float.
  const tau = temperatureInput ? temperature.dataSync()[0]! : temperature;
  if (!(tau > 0)) throw new ConfigError('temperature', tau, 'expected a value > 0');
  const attrs: GumbelSoftmaxAttrs = {
    temperature: tau,
    temperatureInput,
    hard,
    record: activationStore.recording,
    seedLo: key.lo,
    seedHi: key.hi,
  };
  const inputs: tf.NamedTensorMap = temperatureInput ? { logits, temperature } : { logits };
  const [sample, handle] = tf
    .engine()
    .runKernel(GUMBEL_SOFTMAX, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
  // The tape keeps its own reference to the snapshot handle when it records this op.
  handle!.dispose();
  return sample!;
}
