/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { MetaTrainEvent } from '@metagrad/optimizers';
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
  const events: MetaTrainEvent[] = [
    { type: 'start', time: t, epochs: 10, startEpoch: 0, metaStepsPerEpoch: 5, resumed: false },
    ...[1, 2, 3, 4, 5].map((k) => ({
      type: 'meta-step' as const,
      time: t + k * 100,
      epoch: 0,
      metaStep: k,
      metaLoss: 1000 / k,
      gradientNorm: 1,
      skipped: false,
      skippedTotal: 0,
      ms: 100,
    })),
    {
      type: 'epoch',
      time: t + 1000,
      epoch: 0,
      metaLoss: 2283,
      log10FinalLoss: -0.2,
      ms: 1000,
      tensors: 42,
      bytes: 2 ** 20,
    },
    {
      type: 'evaluation',
      time: t + 1100,
      epoch: 0,
      log10FinalLoss: -0.6,
      finalLossMean: 0.25,
      curve: [10, 5, 1, 0.25],
      best: true,
    },
  ];
  return events.reduce(
    reduceDashboard,
    initialDashboardState({
      kind: 'l2l',
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
    expect(frame).toContain('1/10 epochs');
    expect(frame).toContain('meta-loss per truncation (log)');
    expect(frame).toMatch(/learned \(validation\)\s+-0\.600/);
    expect(frame).toContain('epoch 1: held-out log10 -0.600 (best)');
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
});
