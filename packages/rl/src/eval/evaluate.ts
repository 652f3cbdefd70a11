import { Rng } from '@metagrad/core';
import type { Env } from '../env/env.js';
import type { Policy } from './policy.js';

/** Options of {@link evaluatePolicy}. */
export interface EvaluateOptions {
  /** Episodes per trial (n in the paper's tables). */
  episodes: number;
  /** Trials to average over. Default 1000. */
  trials?: number;
  /** Trials run side by side. Default 250. */
  batch?: number;
  seed?: number | string;
}

/** Mean total reward per trial with its standard error. */
export interface EvaluationResult {
  policy: string;
  env: Record<string, unknown>;
  episodes: number;
  trials: number;
  mean: number;
  stderr: number;
  /** Total reward of every trial, in order. */
  totals: number[];
  /**
   * Mean reward of each episode of the trial (index 0 = first episode), over all trials: how much a
   * policy improves as it learns about the task within the trial. Sums to `mean`.
   */
  episodeMeans: number[];
}

/**
 * Runs a policy on `trials` freshly sampled tasks, `episodes` episodes each, and reports the mean
 * total reward per trial and its standard error. Task draws depend only on the seed, so every
 * policy evaluated with the same seed faces the same tasks.
 *
 * @example
 * ```ts
 * const r = await evaluatePolicy(new Ucb1(0.2), new BernoulliBandit(5), { episodes: 100 });
 * console.log(r.mean.toFixed(1), '±', r.stderr.toFixed(1));
 * ```
 */
export async function evaluatePolicy(
  policy: Policy,
  env: Env,
  options: EvaluateOptions,
): Promise<EvaluationResult> {
  const trials = options.trials ?? 1000;
  const batchSize = options.batch ?? 250;
  const root = new Rng(options.seed ?? 0);
  const totals: number[] = [];
  const episodeSums = new Float64Array(options.episodes);
  for (let start = 0, b = 0; start < trials; start += batchSize, b++) {
    const batch = Math.min(batchSize, trials - start);
    const tasks = env.sampleTasks(root.child('tasks').child(b), batch);
    const outcomeRng = root.child('outcomes').child(b);
    const policyRng = root.child('policy').child(b);
    const run = policy.startTrials(tasks, env, policyRng);
    const sums = new Float64Array(batch);
    for (let e = 0; e < options.episodes; e++) {
      let obs = tasks.reset();
      for (let t = 0; t < env.episodeLength; t++) {
        const actions = await run.act(obs, policyRng);
        const result = tasks.step(actions, outcomeRng);
        run.observe(actions, result);
        for (let i = 0; i < batch; i++) {
          sums[i]! += result.rewards[i]!;
          episodeSums[e]! += result.rewards[i]!;
        }
        obs = result.observations;
      }
    }
    run.dispose?.();
    totals.push(...sums);
  }
  const mean = totals.reduce((a, v) => a + v, 0) / totals.length;
  const variance = totals.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, totals.length - 1);
  return {
    policy: policy.name,
    env: env.describe(),
    episodes: options.episodes,
    trials: totals.length,
    mean,
    stderr: Math.sqrt(variance / totals.length),
    totals,
    episodeMeans: Array.from(episodeSums, (sum) => sum / totals.length),
  };
}
