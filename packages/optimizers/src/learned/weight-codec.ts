import type { NamedWeight } from './coordinatewise-lstm.js';

/** Float32 values as base64 (little-endian), for JSON files. */
export function encodeFloat32(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Inverse of {@link encodeFloat32}; checks the length against `expected` elements. */
export function decodeFloat32(text: string, expected: number, what: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength !== expected * 4) {
    throw new Error(`${what}: expected ${expected} float32 values, found ${bytes.byteLength / 4}`);
  }
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

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
