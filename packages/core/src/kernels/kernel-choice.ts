import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { ConfigError } from '../validation/config-error.js';
import { FUSED_KERNEL_BACKENDS } from './tensor-io.js';

/** Choices of implementation for metagrad's fused recurrent ops. */
export const KERNEL_CHOICES = ['auto', 'fused', 'composite'] as const;

/**
 * `fused`: the SIMD WebAssembly kernels (wasm and cpu backends) or the WGSL kernels of the ops
 * that have them (webgpu); `composite`: the same ops built from tfjs ops (every backend, second-order
 * differentiable where tfjs is); `auto`: fused where available, composite elsewhere.
 */
export type KernelChoice = (typeof KERNEL_CHOICES)[number];

/** The `kernels` setting of a trainer config (default `auto`). */
export const kernelsSchema = z
  .enum(KERNEL_CHOICES)
  .default('auto')
  .describe(
    'recurrent ops: fused kernels (SIMD WebAssembly on wasm and cpu, WGSL on webgpu), tfjs composites, or auto',
  );

/**
 * Whether fused kernels serve `backend` (default: the active tfjs backend): every fused op on the
 * CPU backends; on others, the op `kernelName` where a kernel of that name is registered for it.
 */
export function hasFusedKernels(backend: string = tf.getBackend(), kernelName?: string): boolean {
  if ((FUSED_KERNEL_BACKENDS as readonly string[]).includes(backend)) return true;
  return kernelName !== undefined && tf.getKernel(kernelName, backend) !== undefined;
}

/**
 * The implementation a choice resolves to on `backend` for the op `kernelName` (any fused op when
 * omitted); `fused` where it is unavailable is an error.
 */
export function resolveKernels(
  choice: KernelChoice,
  backend: string = tf.getBackend(),
  kernelName?: string,
): 'fused' | 'composite' {
  if (choice === 'composite') return 'composite';
  if (hasFusedKernels(backend, kernelName)) return 'fused';
  if (choice === 'fused') {
    throw new ConfigError(
      'kernels',
      choice,
      `fused kernels run on the ${FUSED_KERNEL_BACKENDS.join(' and ')} backends${kernelName ? `, and ${kernelName} on those that register it` : ''}, not on ${backend}; use auto or composite`,
    );
  }
  return 'composite';
}
