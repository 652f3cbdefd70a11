/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { TrainEvent } from '@metagrad/core';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { initialDashboardState, reduceDashboard } from '../state/dashboard-state.js';
import { INITIAL_VIEW, reduceViewKey } from '../state/view-state.js';
import { Chart } from './chart/chart.js';
import { ComparisonPanel } from './comparison-panel/comparison-panel.js';
import { Dashboard } from './dashboard/dashboard.js';
import { ProgressBar } from './progress-bar/progress-bar.js';

const t = 1_800_000_000_000;

function l2lState() {
  const events: TrainEvent[] = [
    {
      type: 'start',
      time: t,
      unit: 'meta-step',
      total: 50,
      startStep: 0,
      resumed: false,
      objective: { name: 'held-out log10 final loss', higherIsBetter: false },
      headline: ['metaLoss', 'trainLog10FinalLoss'],
    },
    ...[1, 2, 3, 4, 5].map((k) => ({
      type: 'progress' as const,
      time: t + k * 100,
      step: k,
      metrics: {
        epoch: 0,
        metaLoss: 1000 / k,
        gradientNorm: 1,
        ...(k === 5 && { trainLog10FinalLoss: -0.2 }),
      },
      skipped: false,
      skippedTotal: 0,
      ms: 100,
      tensors: 42,
      bytes: 2 ** 20,
    })),
    {
      type: 'evaluation',
      time: t + 1100,
      step: 5,
      name: 'held-out log10 final loss',
      value: -0.6,
      higherIsBetter: false,
      curve: [10, 5, 1, 0.25],
      best: true,
    },
  ];
  return events.reduce(
    reduceDashboard,
    initialDashboardState({
      title: 'l2l quadratic',
      backend: 'wasm',
      seed: '0',
      runDir: 'runs/x',
      baselines: [
        { label: 'adam (tuned)', value: -0.35 },
        { label: 'momentum (tuned)', value: -0.52 },
      ],
    }),
  );
}

describe('dashboard components', () => {
  it('the chart draws braille rows with a y-axis and a legend for overlaid series', () => {
    const { lastFrame } = render(
      <Chart
        chart={{
          title: 'loss',
          positive: true,
          series: [
            {
              name: 'learned',
              points: [
                { x: 0, y: 10 },
                { x: 1, y: 1 },
              ],
            },
            {
              name: 'adam',
              points: [
                { x: 0, y: 10 },
                { x: 1, y: 3 },
              ],
            },
          ],
        }}
        width={30}
        height={4}
        logScale
        smoothing={0}
      />,
    );
    const frame = lastFrame()!;
    const lines = frame.split('\n');
    expect(lines[0]).toBe('loss (log)');
    expect(lines[1]).toMatch(/^\s+10\.0 [\u2800-\u28ff]+$/);
    expect(lines[4]).toMatch(/^\s+1\.00 [\u2800-\u28ff]+$/);
    expect(frame).toContain('■ learned');
    expect(frame).toContain('■ adam');
  });

  it('the progress bar shows done/total, rate and ETA', () => {
    const { lastFrame } = render(
      <ProgressBar done={30} total={120} doneSinceStart={30} elapsedSeconds={15} unit="epoch" width={70} />,
    );
    expect(lastFrame()).toBe(`${'█'.repeat(6)}${'░'.repeat(16)} 30/120 epochs  2.00 epochs/s  ETA 45s`);
  });

  it('the comparison panel ranks the learned optimizer against the baselines', () => {
    const { lastFrame } = render(
      <ComparisonPanel
        title="log10 final loss"
        lowerIsBetter
        width={60}
        entries={[
          { label: 'adam', value: -0.35 },
          { label: 'learned', value: -0.7, learned: true },
        ]}
      />,
    );
    const lines = lastFrame()!.split('\n');
    expect(lines[1]).toMatch(/^learned\s+-0\.700 ▇+$/);
    expect(lines[2]).toMatch(/^adam\s+-0\.350 ▇+$/);
    expect(lines[1]!.length).toBeGreaterThan(lines[2]!.length);
  });

  it('the whole dashboard renders header, progress, chart, comparison and log from events', () => {
    const { lastFrame } = render(
      <Dashboard state={l2lState()} onCommand={() => {}} controls interactive={false} width={90} />,
    );
    const frame = lastFrame()!;
    expect(frame).toContain('l2l quadratic · backend wasm · seed 0 · runs/x');
    expect(frame).toContain('5/50 meta-steps');
    expect(frame).toContain('metaLoss (log)');
    expect(frame).toMatch(/learned \(validation\)\s+-0\.600/);
    expect(frame).toContain('meta-step 5: held-out log10 final loss -0.600 (best)');
    expect(frame).toContain('42 tensors · 1.0 MiB');
  });
});

describe('key bindings', () => {
  it('toggle view options and ask the trainer for pause, checkpoint and stop', () => {
    let v = INITIAL_VIEW;
    const press = (input: string, tab = false) => {
      const r = reduceViewKey(v, input, tab, 3);
      v = r.view;
      return r.command;
    };
    expect(press('p')).toBe('pause');
    expect(v.paused).toBe(true);
    expect(press('p')).toBe('resume');
    expect(press('s')).toBe('checkpoint');
    expect(press('q')).toBe('stop');
    press('l');
    expect(v.logScale).toBe(false);
    press('m');
    expect(v.smoothingOn).toBe(true);
    press('', true);
    press('', true);
    press('', true);
    expect(v.chartIndex).toBe(0);
    press('h');
    expect(v.help).toBe(true);
  });

  it('fits an 80 × 24 terminal with a row to spare, so Ink never clears the screen', () => {
    const { lastFrame } = render(
      <Dashboard
        state={l2lState()}
        onCommand={() => {}}
        controls
        interactive={false}
        width={80}
        height={24}
      />,
    );
    const lines = lastFrame()!.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const line of lines) expect(line.length, line).toBeLessThan(80);
    expect(lastFrame()).toContain('held-out log10 final loss (lower is better)');
  });
});
