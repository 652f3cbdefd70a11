import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonl } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { metagrad } from '../testing/run-metagrad.js';

describe('metagrad rl2', () => {
  it.each([
    [['rl2', 'train', '--arms', '1'], /invalid arms: 1/],
    [['rl2', 'train', '--episodes', '0'], /invalid episodes: 0/],
    [['rl2', 'train', '--value-network', 'both'], /invalid value-network: "both"/],
    [['rl2', 'train', '--kernels', 'simd'], /invalid kernels: "simd"/],
    [['rl2', 'eval', '--policy', 'softmax'], /invalid policy: "softmax" \(is neither a bandit baseline/],
    [['rl2', 'eval', '--env', 'mdp', '--policy', 'gittins'], /invalid policy: "gittins"/],
    [
      ['rl2', 'eval', '--episodes', '500', '--policy', 'finite-horizon-gittins'],
      /invalid policy: "finite-horizon-gittins" \(tabulates its indices for at most 200 pulls, not 500\)/,
    ],
    [['rl2', 'eval', '--policy', '/nonexistent-run'], /invalid policy: "\/nonexistent-run"/],
    [['rl2', 'table', '--env', 'mdp', '--settings', '7'], /invalid settings: "7"/],
    [['rl2', 'eval', '--policy', 'greedy', '--against', 'softmax'], /invalid against: "softmax"/],
    [['rl2', 'eval', '--policy', 'greedy', '--diagnose'], /invalid env: "bandit" \(has no states to use/],
    [['rl2', 'train', '--cell', 'lstm'], /invalid cell: "lstm"/],
    [['rl2', 'train', '--cell', 'layer-norm-relu', '--kernels', 'fused'], /invalid kernels: "fused"/],
  ])('bad input %j exits 2 with one clear line', (args, message) => {
    const { code, stderr } = metagrad(...args);
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toMatch(message);
  });

  it('evaluates a baseline as JSON with the documented fields', () => {
    const { code, stdout } = metagrad(
      'rl2',
      'eval',
      '--policy',
      'random',
      '--episodes',
      '10',
      '--trials',
      '200',
      '--json',
    );
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(Object.keys(r)).toEqual(
      expect.arrayContaining(['policy', 'env', 'arms', 'episodes', 'trials', 'mean', 'stderr']),
    );
    expect(r).toMatchObject({ policy: 'random', env: 'bandit', arms: 5, episodes: 10, trials: 200 });
    // Random play: 10 pulls of arms with U[0, 1] means → 5 in expectation (4 standard errors).
    expect(Math.abs(r.mean - 5)).toBeLessThan(4 * r.stderr);
    expect(r.episodeMeans).toHaveLength(10);
    expect(r.episodeMeans.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(r.mean, 9);
  });

  it('table names a tuned baseline that acts as an earlier column on every trial instead of repeating it', () => {
    const { code, stdout } = metagrad('rl2', 'table', '--settings', '10x5', '--trials', '300', '--json');
    expect(code).toBe(0);
    const cells: { column: string; mean: number; sameAs: string | null }[] = JSON.parse(stdout).rows[0].cells;
    const byColumn = new Map(cells.map((c) => [c.column, c]));
    // Tuned at (10, 5), UCB1 on the posterior mean (c = 0.01) and Gittins (γ = 0.5) are both greedy.
    expect(byColumn.get('ucb1-posterior')!.sameAs).toBe('gittins');
    for (const cell of cells) if (cell.sameAs) expect(cell.mean).toBe(byColumn.get(cell.sameAs)!.mean);
    expect(byColumn.get('ucb1')!.sameAs).toBeNull();
  });

  it('--diagnose reports how often a policy follows the state where that matters, in JSON and in words', () => {
    const args = ['rl2', 'eval', '--env', 'mdp', '--policy', 'myopic', '--diagnose', '--trials', '50'];
    const json = metagrad(...args, '--json');
    expect(json.code).toBe(0);
    const { stateUse } = JSON.parse(json.stdout);
    // The myopic rule acts on the diagnostic's own per-state estimate: it follows the state every time.
    expect(stateUse.decisive).toBeGreaterThan(0);
    expect(stateUse).toMatchObject({ steps: 5000, followedState: 1, followedStateBlind: 0 });
    expect(stateUse.byEpisode).toHaveLength(10);
    expect(metagrad(...args).stdout).toMatch(/followed the state 100\.0 %, ignored it 0\.0 %/);
  });

  it('--against reports the paired difference on the same trials', () => {
    const args = ['rl2', 'eval', '--episodes', '10', '--trials', '200', '--json'];
    const greedy = JSON.parse(metagrad(...args, '--policy', 'greedy', '--against', 'random').stdout);
    const random = JSON.parse(metagrad(...args, '--policy', 'random').stdout);
    expect(greedy.against.policy).toBe('random');
    expect(greedy.against.mean).toBeCloseTo(greedy.mean - random.mean, 9);
    expect(greedy.against.stderr).toBeGreaterThan(0);
  });

  it('trains (with a separate value network), saves and evaluates an agent end to end', () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'rl2-')), 'run');
    const train = metagrad(
      'rl2',
      'train',
      '--iterations',
      '2',
      '--batch',
      '8',
      '--hidden',
      '8',
      '--value-network',
      'separate',
      '--run-dir',
      runDir,
    );
    expect(train.code).toBe(0);
    for (const f of ['config.json', 'metrics.jsonl', 'summary.json', 'agent/agent.json', 'best/agent.json']) {
      expect(existsSync(join(runDir, f))).toBe(true);
    }
    const evaluated = metagrad('rl2', 'eval', '--policy', runDir, '--trials', '50', '--json');
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ policy: 'rl2', trials: 50 });
  });

  it('refuses to resume with other kernels unless --allow-changes, which config.json records', () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'rl2-')), 'run');
    const small = ['--batch', '8', '--hidden', '8', '--checkpoint-every', '1'];
    expect(metagrad('rl2', 'train', '--iterations', '2', ...small, '--run-dir', runDir).code).toBe(0);
    const refused = metagrad('rl2', 'train', '--resume', runDir, '--kernels', 'composite');
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('\n')[0]).toMatch(
      /invalid kernels: "composite" \(the run in progress has "auto"/,
    );
    const resumed = metagrad(
      'rl2',
      'train',
      '--resume',
      runDir,
      '--kernels',
      'composite',
      '--iterations',
      '3',
      '--allow-changes',
    );
    expect(resumed.code).toBe(0);
    const record = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    // The run's starting config and command stay as they were; the changes are appended.
    expect(record.config.kernels).toBe('auto');
    expect(record.command).not.toContain('--resume');
    expect(record.changes.map((c: { field: string }) => c.field).sort()).toEqual(['iterations', 'kernels']);
    expect(record.changes.find((c: { field: string }) => c.field === 'kernels')).toMatchObject({
      from: 'auto',
      to: 'composite',
    });
    const logged = readJsonl<{ type: string }>(join(runDir, 'metrics.jsonl')).records;
    expect(logged.filter((e) => e.type === 'settings-changed')).toHaveLength(1);
  });
});
