/**
 * Gittins indices of Bernoulli arms with Beta(a, b) posteriors, by backward induction on the
 * retirement (calibration) problem: with a retirement reward λ per step, the value of state
 * (a, b) is V = max(λ/(1−γ), p·(1 + γ·V(a+1, b)) + (1−p)·γ·V(a, b+1)) with p = a/(a+b).
 * The index is the λ at which retiring and continuing are equally good. The recursion is
 * truncated `horizon` pulls ahead, where the arm is valued as if its mean were known.
 */

function defaultHorizon(discount: number): number {
  return Math.min(3000, Math.max(50, Math.ceil(Math.log(1e-6) / Math.log(discount))));
}

/** Continuation minus retirement value at the root (a, b) for retirement reward λ. */
function advantageOfContinuing(
  a: number,
  b: number,
  discount: number,
  lambda: number,
  horizon: number,
): number {
  const retire = lambda / (1 - discount);
  // values[j] holds V at depth d for j successes among the d pulls ahead.
  let values = new Float64Array(horizon + 1);
  for (let j = 0; j <= horizon; j++) {
    const p = (a + j) / (a + b + horizon);
    values[j] = Math.max(retire, p / (1 - discount));
  }
  for (let d = horizon - 1; d >= 0; d--) {
    const next = new Float64Array(d + 1);
    for (let j = 0; j <= d; j++) {
      const p = (a + j) / (a + b + d);
      const cont = p * (1 + discount * values[j + 1]!) + (1 - p) * discount * values[j]!;
      next[j] = d === 0 ? cont - retire : Math.max(retire, cont);
    }
    values = next;
  }
  return values[0]!;
}

/**
 * The Gittins index of a Beta(a, b) Bernoulli arm at discount γ, by bisection on λ.
 *
 * @example
 * ```ts
 * gittinsIndex(1, 1, 0.9); // ≈ 0.7029
 * ```
 */
export function gittinsIndex(
  a: number,
  b: number,
  discount: number,
  horizon = defaultHorizon(discount),
): number {
  let lo = a / (a + b);
  let hi = 1;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (advantageOfContinuing(a, b, discount, mid, horizon) > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Gittins indices of every Beta(1 + s, 1 + f) state with s + f ≤ `maxPulls`, computed together:
 * for each retirement reward on a grid the whole truncated tree is solved once, and each state's
 * index is interpolated where its continue-or-retire decision flips.
 *
 * @example
 * ```ts
 * const table = new GittinsTable(0.99, 100);
 * table.index(3, 1); // arm pulled 2 times after the prior: 2 successes, 0 failures
 * ```
 */
export class GittinsTable {
  readonly discount: number;
  readonly maxPulls: number;
  private readonly indices: Float64Array;

  constructor(discount: number, maxPulls: number, gridSize = 400) {
    this.discount = discount;
    this.maxPulls = maxPulls;
    const depth = maxPulls + defaultHorizon(discount);
    const stateCount = ((maxPulls + 1) * (maxPulls + 2)) / 2;
    this.indices = new Float64Array(stateCount).fill(Number.NaN);
    const previous = new Float64Array(stateCount).fill(Number.NaN);
    // Values at one depth of the tree rooted at Beta(1, 1): j successes among d pulls.
    let values = new Float64Array(depth + 1);
    let next = new Float64Array(depth + 1);
    for (let g = 0; g <= gridSize; g++) {
      const lambda = g / gridSize;
      const retire = lambda / (1 - discount);
      for (let j = 0; j <= depth; j++) values[j] = Math.max(retire, (1 + j) / (2 + depth) / (1 - discount));
      for (let d = depth - 1; d >= 0; d--) {
        for (let j = 0; j <= d; j++) {
          const p = (1 + j) / (2 + d);
          const cont = p * (1 + discount * values[j + 1]!) + (1 - p) * discount * values[j]!;
          if (d <= maxPulls) {
            const k = (d * (d + 1)) / 2 + j;
            const advantage = cont - retire;
            const before = previous[k]!;
            if (before > 0 && advantage <= 0 && Number.isNaN(this.indices[k]!)) {
              // Linear interpolation between the grid points that bracket the sign change.
              this.indices[k] = lambda - (1 / gridSize) * (advantage / (advantage - before));
            }
            previous[k] = advantage;
          }
          next[j] = Math.max(retire, cont);
        }
        [values, next] = [next, values];
      }
    }
    for (let k = 0; k < stateCount; k++) if (Number.isNaN(this.indices[k]!)) this.indices[k] = 1;
  }

  /** Index of Beta(a, b) with a, b ≥ 1 and (a − 1) + (b − 1) ≤ maxPulls. */
  index(a: number, b: number): number {
    const d = a + b - 2;
    if (d > this.maxPulls || a < 1 || b < 1) throw new RangeError(`state Beta(${a}, ${b}) outside the table`);
    return this.indices[(d * (d + 1)) / 2 + (a - 1)]!;
  }
}
