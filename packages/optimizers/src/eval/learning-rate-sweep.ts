import type { Rng } from '@metagrad/core';
import type { OptimizerFactory } from '../hand-designed/optimizer.js';
import type { TaskFamily } from '../tasks/task.js';
import { runOptimizer } from './run-optimizer.js';

/** Options of {@link tuneLearningRate}. */
export interface LearningRateSweepOptions {
  /** Stream for the tuning tasks: use one disjoint from training and evaluation. */
  rng: Rng;
  /** Task instances to average over. Default 64. */
  instances?: number;
  /** Inner steps per run. Default 100. */
  steps?: number;
  /** log10 of the grid's ends and its spacing in decades. Default −4 … 1 every 0.25. */
  minLog10?: number;
  maxLog10?: number;
  decadeStep?: number;
  /** How often the grid may grow past an edge whose value won. Default 4. */
  maxExtensions?: number;
}

/** One point of a learning-rate sweep. */
export interface SweepPoint {
  learningRate: number;
  log10FinalLoss: number;
}

/** Result of {@link tuneLearningRate}. */
export interface LearningRateSweep {
  optimizer: string;
  bestLearningRate: number;
  bestLog10FinalLoss: number;
  points: SweepPoint[];
  /** True when the best rate lies strictly inside the grid (the grid was wide enough). */
  interior: boolean;
}

/**
 * Tunes a hand-designed optimizer's learning rate on held-out tasks of a family, as the paper did:
 * every rate on a log grid is run on the same tasks, and the one with the lowest log10 mean final
 * loss wins. When the winner sits at an edge of the grid, the grid grows past that edge (up to
 * `maxExtensions` times) so the reported best is not an artefact of its range.
 *
 * @example
 * ```ts
 * const sweep = await tuneLearningRate(BASELINES.adam, new QuadraticFamily(), { rng: root.child('tune') });
 * console.log(sweep.bestLearningRate, sweep.bestLog10FinalLoss);
 * ```
 */
export async function tuneLearningRate(
  factory: OptimizerFactory,
  family: TaskFamily,
  options: LearningRateSweepOptions,
): Promise<LearningRateSweep> {
  const step = options.decadeStep ?? 0.25;
  let lo = options.minLog10 ?? -4;
  let hi = options.maxLog10 ?? 1;
  const task = family.sample(options.rng, options.instances ?? 64);
  const results = new Map<number, number>();
  const evaluate = async (log10Rate: number) => {
    const key = Math.round(log10Rate / step);
    if (!results.has(key)) {
      const learningRate = 10 ** (key * step);
      const { log10FinalLoss } = await runOptimizer(factory(learningRate), task, {
        steps: options.steps ?? 100,
      });
      results.set(key, Number.isFinite(log10FinalLoss) ? log10FinalLoss : Infinity);
    }
  };
  let extensions = 0;
  let name = factory(1).name;
  for (;;) {
    for (let x = lo; x <= hi + 1e-9; x += step) await evaluate(x);
    const keys = [...results.keys()].sort((a, b) => a - b);
    const bestKey = keys.reduce((best, k) => (results.get(k)! < results.get(best)! ? k : best), keys[0]!);
    const atLow = bestKey === keys[0];
    const atHigh = bestKey === keys[keys.length - 1];
    if ((!atLow && !atHigh) || extensions >= (options.maxExtensions ?? 4)) {
      task.dispose();
      name = factory(10 ** (bestKey * step)).name;
      return {
        optimizer: name,
        bestLearningRate: 10 ** (bestKey * step),
        bestLog10FinalLoss: results.get(bestKey)!,
        points: keys.map((k) => ({ learningRate: 10 ** (k * step), log10FinalLoss: results.get(k)! })),
        interior: !atLow && !atHigh,
      };
    }
    extensions++;
    if (atLow) {
      hi = lo - step;
      lo -= 1;
    } else {
      lo = hi + step;
      hi += 1;
    }
  }
}
