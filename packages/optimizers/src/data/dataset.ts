/**
 * A classification data set held in memory: `features` row-major `[numExamples × numFeatures]`
 * scaled to [0, 1], `labels` in `[0, numClasses)`.
 */
export interface Dataset {
  name: string;
  features: Float32Array;
  labels: Int32Array;
  numExamples: number;
  numFeatures: number;
  numClasses: number;
  /** Where it was loaded from, so another thread can load it again (see {@link DatasetSource}). */
  source?: DatasetSource;
}

/** A loader and its argument: the bundled digits (a CSV path) or a directory of IDX files and a split. */
export type DatasetSource =
  | { loader: 'digits'; path: string }
  | { loader: 'idx'; dir: string; split: 'train' | 'test' };
