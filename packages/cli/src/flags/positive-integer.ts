import { ConfigError } from '@metagrad/core';

/** A flag's value as a whole number ≥ 1, or a ConfigError naming the flag. */
export function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(flag, value, 'expected a whole number >= 1');
  return n;
}
