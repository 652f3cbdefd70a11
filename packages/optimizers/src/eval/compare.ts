import type { Rng } from '@metagrad/core';
import type { Optimizer } from '../hand-designed/optimizer.js';
import { BASELINES, type BaselineName } from '../hand-designed/registry.js';
import type { TaskFamily } from '../tasks/task.js';
import { type LearningRateSweep, tuneLearningRate } from './learning-rate-sweep.js';
import { type OptimizerRun, runOptimizer } from './run-optimizer.js';

/** One optimizer's result on the held-out tasks. */
export interface ComparisonRow {
  optimizer: string;
  /** Tuned learning rate (hand-designed baselines only). */
  learningRate: number | null;
  log10FinalLoss: number;
  finalLossMean: number;
  /** Steps to reach the comparison's threshold, or null if never reached. */
  stepsToThreshold: number | null;
  /** Mean loss per step, 0..steps. */
  curve: number[];
  /** Each test instance's final loss: every row has the same instances, so rows can be paired. */
  finalLosses: number[];
}

/** Result of {@link compareOptimizers}. */
export interface ComparisonReport {
  task: Record<string, unknown>;
  steps: number;
  instances: number;
  /** Loss threshold used for `stepsToThreshold`. */
  threshold: number;
  rows: ComparisonRow[];
  tuning: LearningRateSweep[];
}

/** Options of {@link compareOptimizers}. */
export interface CompareOptions {
  family: TaskFamily;
  /** Learned (or any fixed) optimizers to compare. */
  optimizers?: Optimizer[];
  /** Hand-designed baselines, each tuned by a learning-rate sweep on separate tasks. */
  baselines?: BaselineName[];
  /** The tasks everyone is evaluated on (a run's test split, or its validation split for a live reference). */
  evaluation: Rng;
  /** The tasks baselines' learning rates are tuned on (the tuning split): never the evaluation tasks. */
  tuning: Rng;
  steps?: number;
  instances?: number;
  tuneInstances?: number;
  /** Loss threshold for steps-to-threshold; default: the best tuned baseline's final loss. */
  threshold?: number;
}

/**
 * Compares optimizers fairly on the same held-out tasks: every hand-designed baseline first gets
 * its learning rate tuned on a disjoint set of tasks from the same family (as in the paper), then
 * all run for the same number of steps. Reports per optimizer the mean loss curve, log10 of the
 * mean final loss and the steps needed to reach a threshold.
 *
 * @example
 * ```ts
 * const { test, tuning } = taskSplits(0);
 * const report = await compareOptimizers({ family, optimizers: [learned], baselines: ['adam', 'sgd'], evaluation: test, tuning });
 * console.log(formatComparisonTable(report));
 * ```
 */
export async function compareOptimizers(options: CompareOptions): Promise<ComparisonReport> {
  const steps = options.steps ?? 100;
  const instances = options.instances ?? 128;
  const tuning: LearningRateSweep[] = [];
  for (const name of options.baselines ?? []) {
    tuning.push(
      await tuneLearningRate(BASELINES[name], options.family, {
        rng: options.tuning,
        instances: options.tuneInstances ?? instances,
        steps,
      }),
    );
  }
  const task = options.family.sample(options.evaluation, instances);
  try {
    const entries: { optimizer: Optimizer; learningRate: number | null }[] = [
      ...(options.optimizers ?? []).map((optimizer) => ({ optimizer, learningRate: null })),
      ...tuning.map((sweep, i) => ({
        optimizer: BASELINES[options.baselines![i]!](sweep.bestLearningRate),
        learningRate: sweep.bestLearningRate,
      })),
    ];
    const runs: OptimizerRun[] = [];
    for (const e of entries) runs.push(await runOptimizer(e.optimizer, task, { steps }));
    const baselineFinals = runs.slice(options.optimizers?.length ?? 0).map((r) => r.finalLossMean);
    const finite = baselineFinals.filter((v) => Number.isFinite(v));
    const threshold = options.threshold ?? (finite.length > 0 ? Math.min(...finite) : 1);
    const rows = entries.map((e, i) => {
      const run = runs[i]!;
      const reached = run.curve.findIndex((v) => v <= threshold);
      return {
        optimizer: e.optimizer.name,
        learningRate: e.learningRate,
        log10FinalLoss: run.log10FinalLoss,
        finalLossMean: run.finalLossMean,
        stepsToThreshold: reached >= 0 ? reached : null,
        curve: run.curve,
        finalLosses: run.finalLosses,
      };
    });
    return { task: options.family.describe(), steps, instances, threshold, rows, tuning };
  } finally {
    task.dispose();
  }
}

/** A readable table of a comparison, best first. */
export function formatComparisonTable(report: ComparisonReport): string {
  const rows = [...report.rows].sort((a, b) => a.log10FinalLoss - b.log10FinalLoss);
  const lines = [
    `${'optimizer'.padEnd(16)} ${'tuned lr'.padStart(9)} ${'log10 final'.padStart(12)} ${'final loss'.padStart(11)} ${`steps to ${report.threshold.toPrecision(3)}`.padStart(16)}`,
  ];
  for (const r of rows) {
    lines.push(
      `${r.optimizer.padEnd(16)} ${(r.learningRate === null ? '-' : r.learningRate.toPrecision(3)).padStart(9)} ` +
        `${r.log10FinalLoss.toFixed(3).padStart(12)} ${r.finalLossMean.toPrecision(4).padStart(11)} ` +
        `${(r.stepsToThreshold === null ? 'never' : String(r.stepsToThreshold)).padStart(16)}`,
    );
  }
  return lines.join('\n');
}
