import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { ConfigError } from '../validation/config-error.js';
import { FUSED_KERNEL_BACKENDS } from './tensor-io.js';

/** Choices of implementation for metagrad's fused recurrent ops. */
export const KERNEL_CHOICES = ['auto', 'fused', 'composite'] as const;

/**
 * `fused`: the SIMD WebAssembly kernels (wasm and cpu backends); `composite`: the same ops built
 * from tfjs ops (every backend, second-order differentiable where tfjs is); `auto`: fused where
 * available, composite elsewhere.
 */
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

/** The `kernels` setting of a trainer config (default `auto`). */
export const kernelsSchema = z
  .enum(KERNEL_CHOICES)
  .default('auto')
  .describe('recurrent ops: fused SIMD WebAssembly (wasm and cpu backends), tfjs composites, or auto');

/** Whether the fused kernel serves `backend` (default: the active tfjs backend). */
export function hasFusedKernels(backend: string = tf.getBackend()): boolean {
  return (FUSED_KERNEL_BACKENDS as readonly string[]).includes(backend);
}

/** The implementation a choice resolves to on `backend`; `fused` where it is unavailable is an error. */
export function resolveKernels(
  choice: KernelChoice,
  backend: string = tf.getBackend(),
): 'fused' | 'composite' {
  if (choice === 'composite') return 'composite';
  if (hasFusedKernels(backend)) return 'fused';
  if (choice === 'fused') {
    throw new ConfigError(
      'kernels',
      choice,
      `fused kernels run on the ${FUSED_KERNEL_BACKENDS.join(' and ')} backends, not on ${backend}; use auto or composite`,
    );
  }
  return 'composite';
}
