import { Rng } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { planEpisode } from './mdp-planning.js';

// Two states, two actions. Action 0 stays put, action 1 moves to the other state.
const S = 2;
const A = 2;
const stayOrMove = Float64Array.from([1, 0, 0, 1, 0, 1, 1, 0]);

describe('planEpisode', () => {
  it('plans backwards: moves towards the rewarding state while there is time to collect', () => {
    // Only staying in state 1 pays (reward 1).
    const model = { p: stayOrMove, r: Float64Array.from([0, 0, 1, 0]) };
    const plan = planEpisode(model, S, A, 3);
    expect(Array.from(plan)).toEqual([1, 0, 1, 0, 0, 0]);
  });

  it('with several models backs up each state-action under the model that values it most', () => {
    // Model a pays 1 for staying in state 0 and 5 for leaving state 1; model b pays 3 for staying
    // in state 1. Plans are [first step: state 0, state 1, last step: state 0, state 1].
    const a = { p: stayOrMove, r: Float64Array.from([1, 0, 0, 5]) };
    const b = { p: stayOrMove, r: Float64Array.from([0, 0, 3, 0]) };
    expect(Array.from(planEpisode(a, S, A, 2))).toEqual([1, 1, 0, 1]);
    expect(Array.from(planEpisode(b, S, A, 2))).toEqual([1, 0, 0, 0]);
    // Together the last step is worth 1 in state 0 (stay, a) and 5 in state 1 (leave, a). In the
    // first step, staying in state 1 is worth 3 + 5 under b, more than leaving (5 + 1 under a).
    expect(Array.from(planEpisode([a, b], S, A, 2))).toEqual([1, 0, 0, 1]);
    // Copies of one model plan like that model.
    expect(planEpisode([a, a, a], S, A, 4)).toEqual(planEpisode(a, S, A, 4));
  });
});

describe('planEpisode ties', () => {
  // Both actions stay put and pay alike: every step is a tie.
  const tie = { p: Float64Array.from([1, 0, 1, 0, 0, 1, 0, 1]), r: Float64Array.from([1, 1, 2, 2]) };

  it('go to the first action, or with a stream to each tied action about equally often', () => {
    expect(Array.from(planEpisode(tie, S, A, 3))).toEqual([0, 0, 0, 0, 0, 0]);
    const plan = planEpisode(tie, S, A, 2000, { ties: new Rng('ties') });
    const ones = plan.reduce((n, a) => n + a, 0);
    // 4000 fair draws: the count of ones lies within 4 standard deviations (√(4000/4) ≈ 32) of 2000.
    expect(Math.abs(ones - 2000)).toBeLessThan(4 * 32);
  });
});
