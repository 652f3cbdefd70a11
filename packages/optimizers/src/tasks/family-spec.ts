import type { DatasetSource } from '../data/dataset.js';
import { loadDigits } from '../data/digits.js';
import { loadIdxDataset } from '../data/idx.js';
import { type MlpActivation, MlpFamily } from './mlp.js';
import { QuadraticFamily } from './quadratic.js';
import type { TaskFamily } from './task.js';
import { TaskMixture } from './task-mixture.js';

/** Plain data from which {@link taskFamilyFromSpec} builds a task family (in a worker, say). */
export type TaskFamilySpec =
  | { family: 'quadratic'; dims: number; stddev: number }
  | { family: 'mlp'; source: DatasetSource; hidden: number[]; activation: MlpActivation; batchSize: number }
  | { family: 'mixture'; components: TaskFamilySpec[] };

/** Builds the family a spec describes; its tasks equal those of the family the spec came from. */
export function taskFamilyFromSpec(spec: TaskFamilySpec): TaskFamily {
  if (spec.family === 'quadratic') return new QuadraticFamily({ dims: spec.dims, stddev: spec.stddev });
  if (spec.family === 'mixture') return new TaskMixture(spec.components.map(taskFamilyFromSpec));
  const { source } = spec;
  const dataset =
    source.loader === 'digits' ? loadDigits(source.path) : loadIdxDataset(source.dir, source.split);
  return new MlpFamily(dataset, {
    hidden: spec.hidden,
    activation: spec.activation,
    batchSize: spec.batchSize,
  });
}
