import { base64ToBytes, bytesToBase64 } from './base64.js';

/**
 * Float32 values as base64 (little-endian), for tensors stored inside JSON checkpoints.
 *
 * @example
 * ```ts
 * const text = encodeFloat32(new Float32Array([1, 2]));
 * decodeFloat32(text, 2, 'weights'); // Float32Array [1, 2]
 * ```
 */
export function encodeFloat32(values: Float32Array): string {
  return bytesToBase64(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/** Inverse of {@link encodeFloat32}; throws, naming `what`, unless there are exactly `expected` values. */
export function decodeFloat32(text: string, expected: number, what: string): Float32Array {
  const bytes = base64ToBytes(text);
  if (bytes.byteLength !== expected * 4) {
    throw new Error(`${what}: expected ${expected} float32 values, found ${bytes.byteLength / 4}`);
  }
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
