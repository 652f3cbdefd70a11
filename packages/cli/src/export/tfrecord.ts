import CRC32C from 'crc-32/crc32c.js';

/** CRC-32C (Castagnoli) of `bytes` as an unsigned 32-bit integer. */
export function crc32c(bytes: Uint8Array): number {
  return CRC32C.buf(bytes) >>> 0;
}

/** TFRecord's masked CRC: rotate right by 15 bits and add 0xa282ead8 (mod 2³²). */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/**
 * One TFRecord: uint64 length (little-endian), masked CRC-32C of those 8 bytes, the data, and the
 * masked CRC-32C of the data. TensorBoard event files are sequences of these.
 */
export function tfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** The records of a TFRecord file, each checked against its two CRCs; a torn last record is left out. */
export function readTfRecords(file: Uint8Array): Uint8Array[] {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const records: Uint8Array[] = [];
  for (let offset = 0; offset + 12 <= file.length; ) {
    const length = Number(view.getBigUint64(offset, true));
    if (offset + 12 + length + 4 > file.length) break;
    if (view.getUint32(offset + 8, true) !== maskedCrc32c(file.subarray(offset, offset + 8)))
      throw new Error(`TFRecord at byte ${offset}: length CRC mismatch`);
    const data = file.subarray(offset + 12, offset + 12 + length);
    if (view.getUint32(offset + 12 + length, true) !== maskedCrc32c(data))
      throw new Error(`TFRecord at byte ${offset}: data CRC mismatch`);
    records.push(data);
    offset += 12 + length + 4;
  }
  return records;
}
