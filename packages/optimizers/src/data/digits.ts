import { fileSystem, platform } from '@metagrad/core';
import type { Dataset } from './dataset.js';

/** Where the bundled copy of the UCI digits lives (see the package README for provenance). */
export const DIGITS_PATH = platform.pathOfUrl(new URL('../../data/digits.csv.gz', import.meta.url));

/**
 * The UCI "Optical Recognition of Handwritten Digits" test set as shipped by scikit-learn:
 * 1,797 images of 8×8 pixels (values 0–16, scaled here to [0, 1]), 10 classes.
 * E. Alpaydin, C. Kaynak, UCI Machine Learning Repository (1998), CC BY 4.0.
 *
 * @example
 * ```ts
 * const digits = loadDigits(); // { numExamples: 1797, numFeatures: 64, numClasses: 10, ... }
 * ```
 */
export function loadDigits(path: string = DIGITS_PATH): Dataset {
  const text = new TextDecoder().decode(platform.gunzip(fileSystem().readFileSync(path)));
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const numFeatures = 64;
  const features = new Float32Array(lines.length * numFeatures);
  const labels = new Int32Array(lines.length);
  lines.forEach((line, i) => {
    const cells = line.split(',');
    if (cells.length !== numFeatures + 1) {
      throw new Error(`${path}: line ${i + 1} has ${cells.length} fields, expected ${numFeatures + 1}`);
    }
    for (let j = 0; j < numFeatures; j++) features[i * numFeatures + j] = Number(cells[j]) / 16;
    labels[i] = Number(cells[numFeatures]);
  });
  return {
    name: 'digits',
    features,
    labels,
    numExamples: lines.length,
    numFeatures,
    numClasses: 10,
    source: { loader: 'digits', path },
  };
}
