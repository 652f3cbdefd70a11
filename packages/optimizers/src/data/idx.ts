import { fileSystem, platform } from '@metagrad/core';
import type { Dataset } from './dataset.js';

/** A parsed IDX array (the MNIST file format): its dimensions and raw unsigned-byte data. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** An IDX file is malformed; the message names the file and what is wrong. */
export class IdxFormatError extends Error {
  constructor(path: string, problem: string) {
    super(`${path}: not a valid IDX file: ${problem}`);
    this.name = 'IdxFormatError';
  }
}

/**
 * Parses an IDX file (optionally gzip-compressed). Only the unsigned-byte type (0x08), the one
 * MNIST and Fashion-MNIST use, is accepted.
 *
 * @example
 * ```ts
 * const images = parseIdx(readFileSync('train-images-idx3-ubyte'), 'train-images'); // dims [60000, 28, 28]
 * ```
 */
export function parseIdx(bytes: Uint8Array, path = 'idx'): IdxArray {
  const buf = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? platform.gunzip(bytes) : bytes;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4) throw new IdxFormatError(path, `only ${buf.length} bytes`);
  if (buf[0] !== 0 || buf[1] !== 0)
    throw new IdxFormatError(path, 'magic number must start with two zero bytes');
  const type = buf[2]!;
  if (type !== 0x08)
    throw new IdxFormatError(path, `data type 0x${type.toString(16)} is not unsigned byte (0x08)`);
  const rank = buf[3]!;
  if (rank < 1 || rank > 4) throw new IdxFormatError(path, `rank ${rank} is outside 1..4`);
  const headerBytes = 4 + 4 * rank;
  if (buf.length < headerBytes) throw new IdxFormatError(path, 'header is cut short');
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.length !== headerBytes + size) {
    throw new IdxFormatError(
      path,
      `header says ${dims.join('×')} = ${size} bytes of data, file has ${buf.length - headerBytes}`,
    );
  }
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + headerBytes, size) };
}

const SPLITS = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

function findFile(dir: string, base: string): string {
  for (const name of [base, `${base}.gz`, base.replace(/-idx(\d)-/, '.idx$1-')]) {
    const path = platform.joinPath(dir, name);
    if (fileSystem().existsSync(path)) return path;
  }
  throw new Error(`${dir}: no ${base} or ${base}.gz (expected MNIST-style IDX files)`);
}

/**
 * Loads an MNIST-format data set (MNIST, Fashion-MNIST) from a directory holding the standard
 * IDX file names, gzipped or not. Pixels are scaled to [0, 1]; images are flattened.
 *
 * @example
 * ```ts
 * const mnist = loadIdxDataset('/data/mnist', 'train'); // 60000 × 784, 10 classes
 * ```
 */
export function loadIdxDataset(dir: string, split: 'train' | 'test' = 'train'): Dataset {
  const [imagesName, labelsName] = SPLITS[split];
  const imagesPath = findFile(dir, imagesName);
  const labelsPath = findFile(dir, labelsName);
  const images = parseIdx(fileSystem().readFileSync(imagesPath), imagesPath);
  const labels = parseIdx(fileSystem().readFileSync(labelsPath), labelsPath);
  if (images.dims.length < 2)
    throw new IdxFormatError(imagesPath, `images must have rank >= 2, got ${images.dims.length}`);
  if (labels.dims.length !== 1)
    throw new IdxFormatError(labelsPath, `labels must have rank 1, got ${labels.dims.length}`);
  const numExamples = images.dims[0]!;
  if (labels.dims[0] !== numExamples) {
    throw new IdxFormatError(labelsPath, `${labels.dims[0]} labels for ${numExamples} images`);
  }
  const numFeatures = images.data.length / numExamples;
  const features = new Float32Array(images.data.length);
  for (let i = 0; i < features.length; i++) features[i] = images.data[i]! / 255;
  const labelArray = Int32Array.from(labels.data);
  const numClasses = Math.max(...labelArray) + 1;
  return {
    name: dir,
    features,
    labels: labelArray,
    numExamples,
    numFeatures,
    numClasses,
    source: { loader: 'idx', dir, split },
  };
}
