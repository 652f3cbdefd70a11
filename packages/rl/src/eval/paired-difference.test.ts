import { describe, expect, it } from 'vitest';
import { GreedyBandit, RandomBandit } from '../classic-policies/bandit-policies.js';
import { BernoulliBandit } from '../env/bandit.js';
import { evaluatePolicy } from './evaluate.js';
import { pairedDifference } from './paired-difference.js';

describe('pairedDifference', () => {
  it('matches a hand-computed mean and standard error', async () => {
    const base = { policy: 'x', env: {}, episodes: 1, trials: 3, mean: 0, stderr: 0, episodeMeans: [] };
    const d = pairedDifference({ ...base, totals: [3, 5, 7] }, { ...base, totals: [1, 2, 3] });
    // Differences 2, 3, 4: mean 3, sample variance 1, standard error 1/√3.
    expect(d.mean).toBe(3);
    expect(d.stderr).toBeCloseTo(1 / Math.sqrt(3), 12);
  });

  it('has a smaller standard error than the unpaired one when both policies face the same tasks', async () => {
    const env = new BernoulliBandit(5);
    const greedy = await evaluatePolicy(new GreedyBandit(), env, { episodes: 100, trials: 400, seed: 3 });
    const random = await evaluatePolicy(new RandomBandit(), env, { episodes: 100, trials: 400, seed: 3 });
    const d = pairedDifference(greedy, random);
    expect(d.mean).toBeCloseTo(greedy.mean - random.mean, 9);
    expect(d.stderr).toBeLessThan(Math.hypot(greedy.stderr, random.stderr));
  });
});
