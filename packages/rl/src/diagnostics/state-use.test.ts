import { describe, expect, it } from 'vitest';
import { MyopicMdpPolicy, StateBlindMdpPolicy } from '../classic-policies/mdp-diagnostic-policies.js';
import { Psrl } from '../classic-policies/mdp-policies.js';
import { BernoulliBandit } from '../env/bandit.js';
import { TabularMdp } from '../env/tabular-mdp.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { StateUseDiagnostic } from './state-use.js';

describe('the state-use diagnostic', () => {
  const env = new TabularMdp();
  const options = { episodes: 4, trials: 300, batch: 100, seed: 'state-use' };

  it('finds the myopic rule following the state and the state-blind rule ignoring it at every decisive step', async () => {
    for (const [policy, follows] of [
      [new MyopicMdpPolicy(), 'followedState'],
      [new StateBlindMdpPolicy(), 'followedStateBlind'],
    ] as const) {
      const watched = new StateUseDiagnostic(policy);
      await evaluatePolicy(watched, env, options);
      const report = watched.report();
      expect(report.steps).toBe(300 * 4 * env.episodeLength);
      // Both rules start alike (nothing known) and part ways once rewards differ by state.
      expect(report.decisive).toBeGreaterThan(0.2 * report.steps);
      expect(report[follows]).toBe(report.decisive);
      expect(report.followedState + report.followedStateBlind).toBe(report.decisive);
      expect(report.byEpisode).toHaveLength(4);
      expect(report.byEpisode.reduce((sum, e) => sum + e.decisive, 0)).toBe(report.decisive);
    }
  });

  it('leaves the policy acting as it would unwatched', async () => {
    const plain = await evaluatePolicy(new Psrl(), env, options);
    const watched = await evaluatePolicy(new StateUseDiagnostic(new Psrl()), env, options);
    expect(watched.totals).toEqual(plain.totals);
  });

  it('refuses an environment without states, naming it', async () => {
    const watched = new StateUseDiagnostic(new MyopicMdpPolicy());
    await expect(evaluatePolicy(watched, new BernoulliBandit(5), options)).rejects.toThrow(/env.*bandit/);
  });
});
