import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Runs an example the way a user would (from source here; the consumer test runs it from the tarballs). */
function runExample(file: string, ...args: string[]): string {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', path, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.stderr).not.toMatch(/Error/);
  expect(result.status).toBe(0);
  return result.stdout;
}

/** The number after `label` in an example's output. */
function numberAfter(output: string, label: string): number {
  const match = output.match(new RegExp(`${label}\\s+(-?[\\d.]+)`));
  if (!match) throw new Error(`no "${label}" in:\n${output}`);
  return Number(match[1]);
}

describe('examples (fixed seeds, wasm)', () => {
  it('custom-task-family: the meta-trained optimizer ends below tuned SGD and Adam on test tasks', () => {
    const out = runExample('custom-task-family.mjs');
    const learned = numberAfter(out, 'l2l-lstm\\s+-');
    expect(learned).toBeLessThan(numberAfter(out, 'sgd\\s+[\\d.]+'));
    expect(learned).toBeLessThan(numberAfter(out, 'adam\\s+[\\d.]+'));
  });

  it('custom-env: RL² beats the memoryless policy on test trials by more than 5 standard errors', () => {
    const out = runExample('custom-env.mjs');
    const match = out.match(/paired difference (-?[\d.]+) ± ([\d.]+)/);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThan(5 * Number(match![2]));
  });

  it('learned-optimizer-in-layers: the loaded optimizer lowers a tfjs-layers model loss', () => {
    const out = runExample('learned-optimizer-in-layers.mjs');
    const losses = out
      .match(/learned\s+training loss by epoch: (.*)/)![1]!
      .split(' → ')
      .map(Number);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! / 2);
  });

  it('rl2-imitate-myopic: the clone follows the state where it matters far more often than random play', () => {
    const out = runExample('rl2-imitate-myopic.mjs', '100');
    const followed = (name: string) => numberAfter(out, `${name}\\s.*followed the state`);
    // Each share is over about 27,000 decisive steps: the standard error of their difference is
    // about 0.4 percentage points, so 10 points is more than 20 standard errors.
    expect(followed('clone')).toBeGreaterThan(followed('random') + 10);
    expect(followed('myopic')).toBe(100);
  });

  it('bandit-ceiling: finite-horizon Gittins is within 0.005 of the optimum, tuned Gittins further below (exact)', () => {
    const out = runExample('bandit-ceiling.mjs', '10', '20');
    for (const [i, block] of out.split(/^(?=\d+ pulls of)/m).entries()) {
      const optimum = numberAfter(block, 'bayes-optimal');
      const finite = numberAfter(block, 'finite-horizon-gittins');
      const gap = numberAfter(block, 'optimum − the best Gittins:');
      expect(finite).toBeLessThanOrEqual(optimum);
      expect(optimum - finite).toBeLessThan(0.005);
      // 10 pulls: 0.0025 below the optimum at best; 20 pulls: 0.023.
      expect(gap).toBeGreaterThan(i === 0 ? 0.001 : 0.01);
    }
  });

  it('gumbel-vae: training lowers the held-out negative ELBO of the discrete model', () => {
    const out = runExample('gumbel-vae.mjs');
    const before = numberAfter(out, 'test −ELBO before training:');
    const after = numberAfter(out, 'test −ELBO after training:');
    expect(after).toBeLessThan(before - 10);
  });
});
