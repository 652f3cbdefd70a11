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
}
