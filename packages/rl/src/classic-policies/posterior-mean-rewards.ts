/**
 * Posterior-mean rewards of a batch of trials, one estimate per cell (a (state, action) pair, or an
 * action alone), with prior mean 1 worth one observation, as the MDP's generative model draws mean
 * rewards from N(1, 1). Cells of trial `i` are `i * cells + c`.
 */
export class PosteriorMeanRewards {
  private readonly visits: Float64Array;
  private readonly sums: Float64Array;

  constructor(
    readonly batch: number,
    readonly cells: number,
  ) {
    this.visits = new Float64Array(batch * cells);
    this.sums = new Float64Array(batch * cells);
  }

  /** Counts a reward in trial `trial`'s cell `cell`. */
  record(trial: number, cell: number, reward: number): void {
    const at = trial * this.cells + cell;
    this.visits[at]! += 1;
    this.sums[at]! += reward;
  }

  /**
   * The actions of largest estimate among trial `trial`'s `actions` cells from `first` on, into
   * `best` (cleared first): every one of them when several tie.
   */
  bestActions(trial: number, first: number, actions: number, best: number[]): number[] {
    const at = trial * this.cells + first;
    best.length = 0;
    let top = -Infinity;
    for (let a = 0; a < actions; a++) {
      const mean = (1 + this.sums[at + a]!) / (1 + this.visits[at + a]!);
      if (mean > top) {
        top = mean;
        best.length = 0;
      }
      if (mean === top) best.push(a);
    }
    return best;
  }
}

/** The state a one-hot observation row `i` names (the last state when none is hot). */
export function oneHotState(observations: Float32Array, i: number, states: number): number {
  let state = 0;
  while (state < states - 1 && observations[i * states + state] !== 1) state++;
  return state;
}
