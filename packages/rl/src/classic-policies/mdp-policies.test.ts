import { describe, expect, it } from 'vitest';
import { TabularMdp } from '../env/tabular-mdp.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { Opsrl, Psrl } from './mdp-policies.js';

describe('optimistic posterior sampling (OPSRL)', () => {
  it('with one posterior sample is PSRL, trial for trial', async () => {
    const options = { episodes: 5, trials: 100, seed: 4 };
    const psrl = await evaluatePolicy(new Psrl(), new TabularMdp(), options);
    const opsrl = await evaluatePolicy(new Opsrl(1), new TabularMdp(), options);
    expect(opsrl.totals).toEqual(psrl.totals);
  });

  it('rejects a sample count that is not a positive integer', () => {
    expect(() => new Opsrl(0)).toThrow(/invalid samples: 0/);
    expect(() => new Opsrl(2.5)).toThrow(/invalid samples: 2.5/);
  });
});
