import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { IdxFormatError, loadIdxDataset, parseIdx } from './idx.js';

function idx(dims: number[], data: number[]): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => {
    header.writeUInt32BE(d, 4 + 4 * i);
  });
  return Buffer.concat([header, Buffer.from(data)]);
}

describe('IDX loader', () => {
  it('parses plain and gzipped files', () => {
    const bytes = idx([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 255]);
    expect(parseIdx(bytes)).toEqual({ dims: [2, 2, 2], data: new Uint8Array([0, 1, 2, 3, 4, 5, 6, 255]) });
    expect(parseIdx(gzipSync(bytes)).dims).toEqual([2, 2, 2]);
  });

  it.each([
    [Buffer.from([1, 0, 8, 1, 0, 0, 0, 0]), /magic number/],
    [Buffer.from([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0]), /data type 0xd is not unsigned byte/],
    [idx([3], [1, 2]), /header says 3 = 3 bytes of data, file has 2/],
    [Buffer.from([0, 0]), /only 2 bytes/],
  ])('rejects malformed files with a clear error (%#)', (bytes, message) => {
    expect(() => parseIdx(bytes, 'bad.idx')).toThrow(IdxFormatError);
    expect(() => parseIdx(bytes, 'bad.idx')).toThrow(message);
  });

  it('loads an MNIST-style directory and checks that images and labels agree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idx-'));
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(idx([3, 2, 2], Array(12).fill(51))));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([3], [0, 2, 1]));
    const data = loadIdxDataset(dir, 'train');
    expect([data.numExamples, data.numFeatures, data.numClasses]).toEqual([3, 4, 3]);
    expect(data.features[0]).toBeCloseTo(0.2, 6);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([2], [0, 1]));
    expect(() => loadIdxDataset(dir, 'train')).toThrow(/2 labels for 3 images/);
    expect(() => loadIdxDataset(join(dir, 'nope'), 'test')).toThrow(/no t10k-images-idx3-ubyte/);
  });
});
