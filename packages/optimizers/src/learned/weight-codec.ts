import { decodeFloat32, encodeFloat32 } from '@metagrad/core';
import type { NamedWeight } from './coordinatewise-lstm.js';

/** A named weight with base64 data, as stored in JSON. */
export interface EncodedWeight {
  name: string;
  shape: number[];
  data: string;
}

export function encodeWeights(weights: NamedWeight[]): EncodedWeight[] {
  return weights.map((w) => ({ name: w.name, shape: w.shape, data: encodeFloat32(w.values) }));
}

export function decodeWeights(weights: EncodedWeight[], what: string): NamedWeight[] {
  return weights.map((w) => ({
    name: w.name,
    shape: w.shape,
    values: decodeFloat32(
      w.data,
      w.shape.reduce((a, b) => a * b, 1),
      `${what}: weight ${w.name}`,
    ),
  }));
}
