/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { SweepRunState } from '../sweep/sweep-queue.js';
import { leadingRun, SweepTable } from './components/sweep-table/sweep-table.js';
import { type SweepSnapshot, SweepWatchApp } from './sweep-watch-app.js';

const objective = { name: 'held-out log10 final loss', higherIsBetter: false };

function run(id: string, lr: number, state: string, step: number, best: number | null): SweepRunState {
  return {
    id,
    varying: { metaLearningRate: lr, seed: 1 },
    state,
    progress: { step, total: 200, best: best === null ? null : { ...objective, value: best } },
    result:
      state === 'completed'
        ? { runDir: `s/${id}`, status: 'completed', steps: 200, best: { ...objective, value: best! } }
        : null,
    attempts: 1,
    failure: state === 'failed' ? 'invalid unroll: 0' : null,
  };
}

const manifest = { name: 'tiny', trainer: 'l2l', created: '2026-12-06T00:00:00Z', runs: [] };

describe('the sweep watch view', () => {
  it('shows a row per run, updating as the runs progress, with the leader starred', async () => {
    const snapshots: SweepSnapshot[] = [
      { manifest, states: [run('l2l-a', 0.01, 'active', 50, -0.2), run('l2l-b', 0.003, 'waiting', 0, null)] },
      {
        manifest,
        states: [run('l2l-a', 0.01, 'completed', 200, -0.4), run('l2l-b', 0.003, 'active', 100, -0.5)],
      },
    ];
    let reads = 0;
    const poll = async () => snapshots[Math.min(reads++, snapshots.length - 1)]!;
    const app = render(<SweepWatchApp poll={poll} intervalMs={20} />);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const first = app.lastFrame()!;
    expect(first).toContain('sweep tiny (l2l) · 2 runs · 1 active, 1 waiting');
    expect(first).toMatch(/★ l2l-a +metaLearningRate=0\.01 seed=1 +active .* 50\/200 +-0\.2000/);
    await new Promise((resolve) => setTimeout(resolve, 80));
    const later = app.lastFrame()!;
    expect(later).toContain('1 completed, 1 active');
    // Lower is better: the run at -0.5 leads now.
    expect(later).toMatch(/★ l2l-b +metaLearningRate=0\.003 seed=1 +active .* 100\/200 +-0\.5000/);
    expect(later).toMatch(/ {2}l2l-a .* completed .* 200\/200 +-0\.4000/);
    app.stdin.write('q');
    app.unmount();
  });

  it('stars the best by the objective direction, and shows why a run failed', () => {
    const states = [
      run('a', 1, 'completed', 200, 3),
      run('b', 2, 'failed', 0, null),
      run('c', 3, 'active', 9, 5),
    ];
    expect(leadingRun(states)).toBe(0);
    const table = render(<SweepTable manifest={manifest} states={states} width={140} />).lastFrame()!;
    expect(table).toMatch(/b +metaLearningRate=2 seed=1 +failed .*\n +↳ invalid unroll: 0\n/);
    for (const s of states) if (s.progress?.best) s.progress.best.higherIsBetter = true;
    for (const s of states) if (s.result?.best) s.result.best.higherIsBetter = true;
    expect(leadingRun(states)).toBe(2);
  });
});
