import { type MeanAndStandardError, meanAndStandardError } from '@metagrad/core';
import type { Optimizer } from '../hand-designed/optimizer.js';
import { BASELINE_NAMES, BASELINES, type BaselineName } from '../hand-designed/registry.js';
import { type TaskSettings, taskFamilyFor } from '../tasks/task-registry.js';
import { tuneLearningRate } from './learning-rate-sweep.js';
import { runOptimizer } from './run-optimizer.js';
import type { TaskSplits } from './task-splits.js';

/** One setting of the study: the trained task with some settings changed, or a longer horizon. */
export interface StudyVariant {
  label: string;
  settings: TaskSettings;
  steps: number;
}

/**
 * The variants of Andrychowicz et al. (2016, §3.2, Fig. 4–5) for an MLP the optimizer was trained
 * on: the same network, twice the units, a second hidden layer, ReLU instead of the trained
 * activation, and twice the horizon. Other families get the trained setting and the longer horizon.
 */
export function generalisationVariants(trained: TaskSettings, steps: number): StudyVariant[] {
  const variants: StudyVariant[] = [{ label: 'as trained', settings: trained, steps }];
  if (trained.task === 'mlp') {
    const width = trained.hidden[0] ?? 20;
    variants.push(
      { label: `${2 * width} units`, settings: { ...trained, hidden: [2 * width] }, steps },
      { label: '2 layers', settings: { ...trained, hidden: [width, width] }, steps },
    );
    if (trained.activation !== 'relu')
      variants.push({ label: 'ReLU', settings: { ...trained, activation: 'relu' }, steps });
  }
  variants.push({ label: `${2 * steps} steps`, settings: trained, steps: 2 * steps });
  return variants;
}

/** One optimizer on one variant's test tasks. */
export interface StudyEntry {
  optimizer: string;
  /** The rate tuned on this variant's tuning tasks (baselines only). */
  learningRate: number | null;
  /** log10 of each test instance's final loss, averaged over instances. */
  log10FinalLoss: MeanAndStandardError;
  /** The learned optimizer minus this one, instance by instance on the same test tasks. */
  learnedMinusThis?: MeanAndStandardError;
  /** Mean loss per step over the test instances. */
  curve: number[];
}

/** One variant's results. */
export interface StudyRow {
  label: string;
  steps: number;
  task: Record<string, unknown>;
  entries: StudyEntry[];
  /** The tuned baseline with the lowest mean log10 final loss here. */
  bestBaseline: string;
}

/** Options of {@link generalisationStudy}. */
export interface GeneralisationStudyOptions {
  learned: Optimizer;
  variants: StudyVariant[];
  /** Tuning tasks choose each baseline's rate per variant; test tasks give every number. */
  splits: Pick<TaskSplits, 'tuning' | 'test'>;
  instances: number;
  tuneInstances?: number;
  baselines?: BaselineName[];
  /** Called as each variant finishes (progress for long studies). */
  onVariant?: (row: StudyRow, index: number) => void;
}

/**
 * Evaluates a learned optimizer and the hand-designed baselines on each variant: every baseline's
 * learning rate is tuned on that variant's tuning tasks, then all run on the same test tasks, so
 * each difference is paired instance by instance.
 */
export async function generalisationStudy(options: GeneralisationStudyOptions): Promise<StudyRow[]> {
  const baselines = options.baselines ?? [...BASELINE_NAMES];
  const rows: StudyRow[] = [];
  for (const [index, variant] of options.variants.entries()) {
    const family = taskFamilyFor(variant.settings);
    try {
      const optimizers: { optimizer: Optimizer; learningRate: number | null }[] = [
        { optimizer: options.learned, learningRate: null },
      ];
      for (const name of baselines) {
        const { bestLearningRate } = await tuneLearningRate(BASELINES[name], family, {
          rng: options.splits.tuning,
          instances: options.tuneInstances ?? Math.min(options.instances, 32),
          steps: variant.steps,
        });
        optimizers.push({ optimizer: BASELINES[name](bestLearningRate), learningRate: bestLearningRate });
      }
      const task = family.sample(options.splits.test, options.instances);
      const runs: { optimizer: string; learningRate: number | null; curve: number[]; logs: number[] }[] = [];
      try {
        for (const { optimizer, learningRate } of optimizers) {
          const run = await runOptimizer(optimizer, task, { steps: variant.steps });
          runs.push({
            optimizer: optimizer.name,
            learningRate,
            curve: run.curve,
            logs: run.finalLosses.map(Math.log10),
          });
        }
      } finally {
        task.dispose();
      }
      const learned = runs[0]!.logs;
      const entries: StudyEntry[] = runs.map((run, i) => ({
        optimizer: run.optimizer,
        learningRate: run.learningRate,
        log10FinalLoss: meanAndStandardError(run.logs),
        ...(i > 0 && { learnedMinusThis: meanAndStandardError(learned.map((v, j) => v - run.logs[j]!)) }),
        curve: run.curve,
      }));
      const best = entries.slice(1).reduce((a, b) => (b.log10FinalLoss.mean < a.log10FinalLoss.mean ? b : a));
      const row = {
        label: variant.label,
        steps: variant.steps,
        task: family.describe(),
        entries,
        bestBaseline: best.optimizer,
      };
      options.onVariant?.(row, index);
      rows.push(row);
    } finally {
      family.dispose();
    }
  }
  return rows;
}
