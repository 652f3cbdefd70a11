import { meanAndStandardError } from '@metagrad/core';
import type { EvaluationResult } from './evaluate.js';

/**
 * Mean per-trial difference `a − b` between two evaluations run with the same seed, trial count
 * and environment (so trial i is the same task for both), with its standard error. Pairing
 * removes the task-to-task variance that dominates each evaluation's own standard error, so
 * small differences between strong policies become measurable.
 */
export function pairedDifference(a: EvaluationResult, b: EvaluationResult): { mean: number; stderr: number } {
  if (a.trials !== b.trials || a.episodes !== b.episodes)
    throw new Error(
      `pairedDifference: evaluations differ in trials (${a.trials} vs ${b.trials}) or episodes (${a.episodes} vs ${b.episodes})`,
    );
  const { mean, stderr } = meanAndStandardError(a.totals.map((v, i) => v - b.totals[i]!));
  return { mean, stderr };
}
