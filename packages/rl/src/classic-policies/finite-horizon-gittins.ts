/**
 * Finite-horizon Gittins indices of Bernoulli arms with Beta posteriors, undiscounted: the index of
 * an arm with `left` pulls to go is the retirement reward λ per pull at which pulling it at least once
 * more (and then stopping whenever it is best to) earns as much as λ on every pull left:
 * V(a, b, h) = max(λ·h, p·(1 + V(a+1, b, h−1)) + (1−p)·V(a, b+1, h−1)) with p = a/(a+b).
 * An index policy over these is near Bayes-optimal on trials of a known length (Kaufmann 2018,
 * "On Bayesian index policies for sequential resource allocation"), where the discounted index must
 * have its discount tuned to the length.
 */

/** The most pulls {@link FiniteHorizonGittinsTable} covers: it solves a tree per horizon, cubic in the pulls. */
export const MAX_FINITE_HORIZON_GITTINS_PULLS = 200;

/** Continuation minus retirement value of Beta(a, b) with `left` pulls to go, at retirement reward λ. */
function advantageOfContinuing(a: number, b: number, left: number, lambda: number): number {
  // values[j]: the value with j successes among the d pulls taken since the root.
  let values = new Float64Array(left + 1);
  for (let d = left - 1; d >= 0; d--) {
    const next = new Float64Array(d + 1);
    for (let j = 0; j <= d; j++) {
      const p = (a + j) / (a + b + d);
      const cont = p * (1 + values[j + 1]!) + (1 - p) * values[j]!;
      next[j] = d === 0 ? cont : Math.max(lambda * (left - d), cont);
    }
    values = next;
  }
  return values[0]! - lambda * left;
}

/**
 * The finite-horizon Gittins index of a Beta(a, b) Bernoulli arm with `left` pulls to go, by
 * bisection on λ. With one pull left it is the posterior mean; it grows with the pulls left.
 *
 * @example
 * ```ts
 * finiteHorizonGittinsIndex(1, 1, 1); // 0.5
 * ```
 */
export function finiteHorizonGittinsIndex(a: number, b: number, left: number): number {
  if (!(a > 0 && b > 0) || !Number.isInteger(left) || left < 1)
    throw new RangeError(`finiteHorizonGittinsIndex: needs a, b > 0 and left ≥ 1, got ${a}, ${b}, ${left}`);
  let lo = a / (a + b);
  let hi = 1;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (advantageOfContinuing(a, b, left, mid) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Finite-horizon Gittins indices of every state a trial of `pulls` pulls can reach from the
 * Beta(1, 1) prior: after s successes and f failures of an arm, at most `pulls` − s − f pulls are
 * left; an index policy asks for the pulls left in the trial, which is what matters for its choice.
 * The tree of the whole trial is solved once per retirement reward on a grid, and each state's index
 * interpolated where its continue-or-retire decision flips.
 *
 * @example
 * ```ts
 * const table = new FiniteHorizonGittinsTable(100);
 * table.index(2, 0, 98); // an arm with 2 successes in 2 pulls, 98 pulls left in the trial
 * ```
 */
export class FiniteHorizonGittinsTable {
  readonly pulls: number;
  /** Index by depth d = s + f, successes s and pulls left: (d · (d + 1) / 2 + s) · (pulls + 1) + left. */
  private readonly indices: Float64Array;

  constructor(pulls: number, gridSize = 500) {
    if (!Number.isInteger(pulls) || pulls < 1 || pulls > MAX_FINITE_HORIZON_GITTINS_PULLS)
      throw new RangeError(
        `FiniteHorizonGittinsTable: pulls must be an integer in 1…${MAX_FINITE_HORIZON_GITTINS_PULLS}, got ${pulls}`,
      );
    this.pulls = pulls;
    const states = ((pulls + 1) * (pulls + 2)) / 2;
    this.indices = new Float64Array(states * (pulls + 1)).fill(Number.NaN);
    const previous = new Float64Array(states);
    // One tree per horizon h: at depth d its nodes are the states s + f = d with h − d pulls left.
    for (let horizon = 1; horizon <= pulls; horizon++) {
      previous.fill(Number.NaN);
      let values = new Float64Array(horizon + 1);
      let next = new Float64Array(horizon + 1);
      for (let g = 0; g <= gridSize; g++) {
        const lambda = g / gridSize;
        values.fill(0);
        for (let d = horizon - 1; d >= 0; d--) {
          const left = horizon - d;
          for (let j = 0; j <= d; j++) {
            const p = (1 + j) / (2 + d);
            const cont = p * (1 + values[j + 1]!) + (1 - p) * values[j]!;
            const advantage = cont - lambda * left;
            const k = (d * (d + 1)) / 2 + j;
            const before = previous[k]!;
            const slot = k * (pulls + 1) + left;
            if (before > 0 && advantage <= 0 && Number.isNaN(this.indices[slot]!))
              // Linear interpolation between the grid points that bracket the sign change.
              this.indices[slot] = lambda - (1 / gridSize) * (advantage / (advantage - before));
            previous[k] = advantage;
            next[j] = Math.max(lambda * left, cont);
          }
          [values, next] = [next, values];
        }
      }
    }
  }

  /** Index of an arm with `successes` and `failures` so far and `left` pulls to go in the trial. */
  index(successes: number, failures: number, left: number): number {
    const d = successes + failures;
    if (successes < 0 || failures < 0 || left < 1 || d + left > this.pulls)
      throw new RangeError(
        `state (${successes} successes, ${failures} failures, ${left} left) outside a trial of ${this.pulls} pulls`,
      );
    const value = this.indices[((d * (d + 1)) / 2 + successes) * (this.pulls + 1) + left]!;
    // Never flipped below λ = 1: continuing is worth it at every retirement reward on the grid.
    return Number.isNaN(value) ? 1 : value;
  }
}
