/**
 * Shard messages as JSON, for a queue that stores job data as text: typed arrays travel as base64 of
 * their bytes and numbers JSON cannot hold (NaN, ±Infinity, -0) as tagged strings, so that what
 * arrives has the same bits as what was sent (the same result as a worker thread's structured clone).
 */

const TYPED_ARRAYS = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

/** A value made safe for JSON with {@link encodeShardValue}. */
export type EncodedShardValue = unknown;

/** `value` with typed arrays and non-JSON numbers tagged; plain data otherwise unchanged. */
export function encodeShardValue(value: unknown): EncodedShardValue {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && !Object.is(value, -0)) return value;
    return { $number: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const name = value.constructor.name as TypedArrayName;
    if (!(name in TYPED_ARRAYS)) throw new TypeError(`shard messages cannot carry a ${name}`);
    return {
      $typed: name,
      base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'),
    };
  }
  if (Array.isArray(value)) return value.map(encodeShardValue);
  if (value !== null && typeof value === 'object') {
    if ('$typed' in value || '$number' in value)
      throw new TypeError('shard messages cannot use the keys $typed or $number');
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeShardValue(v)]));
  }
  return value;
}

/** Inverse of {@link encodeShardValue}. */
export function decodeShardValue(value: EncodedShardValue): unknown {
  if (Array.isArray(value)) return value.map(decodeShardValue);
  if (value === null || typeof value !== 'object') return value;
  const tagged = value as { $typed?: TypedArrayName; base64?: string; $number?: string };
  if (tagged.$number !== undefined) return tagged.$number === '-0' ? -0 : Number(tagged.$number);
  if (tagged.$typed !== undefined) {
    const Type = TYPED_ARRAYS[tagged.$typed];
    if (!Type) throw new TypeError(`unknown typed array ${tagged.$typed} in a shard message`);
    const bytes = Buffer.from(tagged.base64 ?? '', 'base64');
    const out = new Type(bytes.byteLength / Type.BYTES_PER_ELEMENT);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeShardValue(v)]));
}
