/** The most pulls {@link bayesOptimalValue} plans over: its state count grows quickly with the horizon. */
export const MAX_BAYES_OPTIMAL_PULLS = 30;

/**
 * Exact Bayes-optimal planning for Bernoulli bandits whose arm means are drawn from U[0, 1] (the
 * Beta(1, 1) prior of the bandit tasks): dynamic programming over the arms' posterior counts, arms
 * in the same state merged, values memoised across calls. No policy can expect more on these tasks.
 */
export class BayesOptimalPlanner {
  private readonly memo = new Map<string, number>();

  constructor(readonly pulls: number) {
    if (!Number.isInteger(pulls) || pulls < 0 || pulls > MAX_BAYES_OPTIMAL_PULLS)
      throw new RangeError(
        `BayesOptimalPlanner: pulls must be an integer in 0…${MAX_BAYES_OPTIMAL_PULLS}, got ${pulls}`,
      );
  }

  /** Expected reward still to come with `left` pulls from posterior counts `[successes, failures]` per arm. */
  value(counts: [number, number][], left: number): number {
    if (left === 0) return 0;
    const key = `${counts
      .map(([s, f]) => `${s},${f}`)
      .sort()
      .join(';')}|${left}`;
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    let best = 0;
    const tried = new Set<string>();
    counts.forEach(([s, f], arm) => {
      if (tried.has(`${s},${f}`)) return;
      tried.add(`${s},${f}`);
      best = Math.max(best, this.actionValue(counts, arm, left));
    });
    this.memo.set(key, best);
    return best;
  }

  /** Expected reward still to come when pulling `arm` now and acting optimally after. */
  actionValue(counts: [number, number][], arm: number, left: number): number {
    const [s, f] = counts[arm]!;
    const p = (s + 1) / (s + f + 2);
    const after = (next: [number, number]) => counts.map((c, j) => (j === arm ? next : c));
    return (
      p * (1 + this.value(after([s + 1, f]), left - 1)) + (1 - p) * this.value(after([s, f + 1]), left - 1)
    );
  }
}

/**
 * The Bayes-optimal expected total reward of `pulls` pulls of `arms` arms (see
 * {@link BayesOptimalPlanner}): the ceiling an RL² agent's score is measured against (10 pulls of 5
 * arms: 6.660).
 */
export function bayesOptimalValue(pulls: number, arms: number): number {
  if (!Number.isInteger(arms) || arms < 1)
    throw new RangeError(`bayesOptimalValue: arms must be a positive integer, got ${arms}`);
  return new BayesOptimalPlanner(pulls).value(
    Array.from({ length: arms }, () => [0, 0] as [number, number]),
    pulls,
  );
}
