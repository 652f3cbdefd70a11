import type { Rng } from '@metagrad/core';

/** A tabular MDP model: transition probabilities `p[(s·A + a)·S + s']`, mean rewards `r[s·A + a]`. */
export interface MdpModel {
  p: Float64Array;
  r: Float64Array;
}

/**
 * Finite-horizon dynamic programming for tabular MDPs: the optimal non-stationary policy
 * `policy[h·S + s]` for the `horizon` steps of an episode of `model`.
 *
 * Two kinds of optimism: with `radius` (UCRL2's extended value iteration), each (s, a)'s
 * next-state distribution may move up to `radius[s·A + a]` in L1 distance towards the states of
 * highest value; with several models (optimistic posterior sampling), each (s, a) backs up the
 * model under which it is worth most.
 *
 * Ties go to the first action, or with `ties` to one drawn uniformly from that stream: a model that
 * knows nothing of several actions values them exactly alike.
 */
export function planEpisode(
  model: MdpModel | readonly MdpModel[],
  states: number,
  actions: number,
  horizon: number,
  options: { radius?: Float64Array; ties?: Rng } = {},
): Int32Array {
  const { radius, ties } = options;
  const models = Array.isArray(model) ? (model as readonly MdpModel[]) : [model as MdpModel];
  const policy = new Int32Array(horizon * states);
  let v = new Float64Array(states);
  let next = new Float64Array(states);
  const order = new Int32Array(states);
  const optimistic = new Float64Array(states);
  for (let h = horizon - 1; h >= 0; h--) {
    if (radius) {
      for (let s = 0; s < states; s++) order[s] = s;
      const values = v;
      order.sort((x, y) => values[y]! - values[x]!);
    }
    for (let s = 0; s < states; s++) {
      let best = -Infinity;
      let bestAction = 0;
      let tied = 0;
      for (let a = 0; a < actions; a++) {
        const row = (s * actions + a) * states;
        for (const { p, r } of models) {
          let q = r[s * actions + a]!;
          if (radius) {
            optimisticDistribution(p, row, states, radius[s * actions + a]!, order, optimistic);
            for (let j = 0; j < states; j++) q += optimistic[j]! * v[j]!;
          } else {
            for (let j = 0; j < states; j++) q += p[row + j]! * v[j]!;
          }
          if (q > best) {
            best = q;
            bestAction = a;
            tied = 1;
          } else if (q === best && ties && bestAction !== a && ties.int(++tied) === 0) {
            // Reservoir sampling: each of the `tied` equal actions is kept with probability 1/tied.
            bestAction = a;
          }
        }
      }
      policy[h * states + s] = bestAction;
      next[s] = best;
    }
    [v, next] = [next, v];
  }
  return policy;
}

/** The distribution within L1 distance `radius` of p[row..] that puts most mass on high-value states. */
function optimisticDistribution(
  p: Float64Array,
  row: number,
  states: number,
  radius: number,
  order: Int32Array,
  out: Float64Array,
): void {
  for (let j = 0; j < states; j++) out[j] = p[row + j]!;
  const top = order[0]!;
  out[top] = Math.min(1, out[top]! + radius / 2);
  let excess = -1;
  for (let j = 0; j < states; j++) excess += out[j]!;
  for (let k = states - 1; k >= 0 && excess > 0; k--) {
    const j = order[k]!;
    if (j === top) continue;
    const cut = Math.min(excess, out[j]!);
    out[j]! -= cut;
    excess -= cut;
  }
}
