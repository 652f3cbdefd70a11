import { platform } from '#platform';
import { ConfigError } from '../validation/config-error.js';

/**
 * How the WebAssembly kernels' matrix products multiply and add: `fused-multiply-add` rounds each
 * a·b + c once (relaxed SIMD on a CPU with FMA), `multiply-then-add` rounds the product and then
 * the sum. The two give slightly different bits; each repeats its own bits exactly on any machine
 * that has it.
 */
export const KERNEL_ARITHMETICS = ['fused-multiply-add', 'multiply-then-add'] as const;
export type KernelArithmetic = (typeof KERNEL_ARITHMETICS)[number];

/**
 * The environment variable that pins the arithmetic (Node only): unset, the kernels fuse where
 * the runtime and the CPU can; `multiply-then-add` reproduces a machine without FMA bit for bit.
 */
export const KERNEL_ARITHMETIC_VARIABLE = 'METAGRAD_KERNEL_ARITHMETIC';

/** The arithmetic asked for by {@link KERNEL_ARITHMETIC_VARIABLE}, or undefined for the best available. */
export function requestedKernelArithmetic(): KernelArithmetic | undefined {
  const value = platform.environmentVariable(KERNEL_ARITHMETIC_VARIABLE);
  if (value === undefined || value === '') return undefined;
  if ((KERNEL_ARITHMETICS as readonly string[]).includes(value)) return value as KernelArithmetic;
  throw new ConfigError(
    KERNEL_ARITHMETIC_VARIABLE,
    value,
    `expected one of ${KERNEL_ARITHMETICS.join(', ')}`,
  );
}
