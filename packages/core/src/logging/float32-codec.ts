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
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** Inverse of {@link encodeFloat32}; throws, naming `what`, unless there are exactly `expected` values. */
export function decodeFloat32(text: string, expected: number, what: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength !== expected * 4) {
    throw new Error(`${what}: expected ${expected} float32 values, found ${bytes.byteLength / 4}`);
  }
  const out = new Float32Array(expected);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
