import { ConfigError } from '@metagrad/core';

/** Parses an integer flag; a bad value is a ConfigError naming the flag. */
export function intFlag(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new ConfigError(name, value, 'expected an integer');
    return n;
  };
}
