import { platform } from '#platform';
import { fileSystem } from './file-system.js';

/** CRC-32 (IEEE 802.3, reflected), the checksum every zip entry carries. */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The files under `dir`, depth first in name order, as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  const fs = fileSystem();
  return fs
    .readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = platform.joinPath(dir, name);
      return fs.statSync(path).isDirectory ? filesUnder(path, `${prefix}${name}/`) : [`${prefix}${name}`];
    });
}

/** 1980-01-01 00:00 in MS-DOS form: fixed, so that the same directory always zips to the same bytes. */
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * A zip archive (stored, not compressed) of directory `dir` with its files under `root/`: how a
 * browser hands over a saved model or agent. Unzipped, it is the directory `metagrad l2l eval
 * --optimizer` and `rl2 eval --policy` read.
 *
 * @example
 * ```ts
 * const bytes = zipDirectory('/runs/l2l-quadratic/optimizer'); // optimizer/optimizer.json, optimizer/weights.bin
 * ```
 */
export function zipDirectory(dir: string, root: string = platform.basename(dir)): Uint8Array {
  const encoder = new TextEncoder();
  const entries = filesUnder(dir).map((relative) => {
    const data = fileSystem().readFileSync(platform.joinPath(dir, relative));
    return { name: encoder.encode(`${root}/${relative}`), data, crc: crc32(data) };
  });
  const localSize = entries.reduce((sum, e) => sum + 30 + e.name.length + e.data.length, 0);
  const centralSize = entries.reduce((sum, e) => sum + 46 + e.name.length, 0);
  const out = new Uint8Array(localSize + centralSize + 22);
  const view = new DataView(out.buffer);
  let at = 0;
  const u16 = (value: number) => {
    view.setUint16(at, value, true);
    at += 2;
  };
  const u32 = (value: number) => {
    view.setUint32(at, value, true);
    at += 4;
  };
  const bytes = (value: Uint8Array) => {
    out.set(value, at);
    at += value.length;
  };
  // The fields a file's local header and its central-directory entry share, from the version needed on.
  const entryFields = (e: (typeof entries)[number]) => {
    u16(20); // version needed: 2.0
    u16(0x0800); // UTF-8 names
    u16(0); // stored
    u16(0); // time
    u16(DOS_DATE);
    u32(e.crc);
    u32(e.data.length); // compressed size
    u32(e.data.length);
    u16(e.name.length);
    u16(0); // extra field
  };
  const offsets: number[] = [];
  for (const e of entries) {
    offsets.push(at);
    u32(0x04034b50);
    entryFields(e);
    bytes(e.name);
    bytes(e.data);
  }
  const centralStart = at;
  entries.forEach((e, i) => {
    u32(0x02014b50);
    u16(20); // made by: 2.0
    entryFields(e);
    u16(0); // comment
    u16(0); // disk
    u16(0); // internal attributes
    u32(0); // external attributes
    u32(offsets[i]!);
    bytes(e.name);
  });
  const centralLength = at - centralStart;
  u32(0x06054b50);
  u16(0);
  u16(0);
  u16(entries.length);
  u16(entries.length);
  u32(centralLength);
  u32(centralStart);
  u16(0);
  return out;
}
