import { describe, expect, it } from 'vitest';
import { trialGae } from './gae.js';

describe('trial-level GAE', () => {
  it('matches hand-computed advantages and returns', () => {
    // One trial of 3 steps, γ = 0.9, λ = 0.5.
    const rewards = [new Float32Array([1]), new Float32Array([0]), new Float32Array([2])];
    const values = [new Float32Array([0.5]), new Float32Array([1]), new Float32Array([1.5])];
    const { advantages, returns } = trialGae(rewards, values, 0.9, 0.5);
    const d2 = 2 - 1.5; // last step: no value after the trial
    const d1 = 0 + 0.9 * 1.5 - 1;
    const d0 = 1 + 0.9 * 1 - 0.5;
    const a2 = d2;
    const a1 = d1 + 0.45 * a2;
    const a0 = d0 + 0.45 * a1;
    expect(advantages.map((a) => a[0])).toEqual([a0, a1, a2].map((v) => expect.closeTo(v, 6)));
    expect(returns.map((r) => r[0])).toEqual([a0 + 0.5, a1 + 1, a2 + 1.5].map((v) => expect.closeTo(v, 6)));
  });

  it('does not cut the return at episode boundaries inside a trial', () => {
    // With λ = 1 and no values, the advantage is the discounted reward-to-go over the whole trial,
    // across the (invisible to GAE) episode boundaries.
    const rewards = [1, 1, 1, 1].map((r) => new Float32Array([r, 2 * r]));
    const values = [0, 0, 0, 0].map(() => new Float32Array([0, 0]));
    const { advantages } = trialGae(rewards, values, 0.5, 1);
    expect(advantages[0]![0]).toBeCloseTo(1 + 0.5 + 0.25 + 0.125, 6);
    expect(advantages[0]![1]).toBeCloseTo(2 * (1 + 0.5 + 0.25 + 0.125), 6);
  });
});
