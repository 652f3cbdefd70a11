import { Rng } from '@metagrad/core';

/**
 * The four disjoint task streams of a seed. Every number metagrad reports says which one it comes
 * from, and no command evaluates on tasks that selected weights or tuned a learning rate.
 */
export interface TaskSplits {
  /** The tasks meta-training trains on in epoch `epoch`. */
  training(epoch: number): Rng;
  /** Held-out tasks that choose the best weights during training (`best/`). */
  validation: Rng;
  /** Tasks on which the baselines' learning rates are tuned. */
  tuning: Rng;
  /** Tasks reported results come from: they never select weights or tune a rate. */
  test: Rng;
}

/**
 * The {@link TaskSplits} of a seed: named child streams of `Rng(seed)` (`train`/epoch, `eval`,
 * `tune`, `test`), so the four sets are independent draws and, for any family with continuous
 * parameters, disjoint.
 *
 * @example
 * ```ts
 * const splits = taskSplits(0);
 * const validation = family.sample(splits.validation, 128);
 * ```
 */
export function taskSplits(seed: number | string): TaskSplits {
  const root = new Rng(seed);
  return {
    training: (epoch) => root.child('train').child(epoch),
    validation: root.child('eval'),
    tuning: root.child('tune'),
    test: root.child('test'),
  };
}
