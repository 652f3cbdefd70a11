import type { TrainEvent } from '@metagrad/core';

/** A named series of points. */
export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

/** One chart the dashboard can show. */
export interface ChartModel {
  title: string;
  /** Whether values are positive losses (log scale makes sense). */
  positive: boolean;
  series: Series[];
}

/** A reference line of the comparison panel (a baseline, or the learned model's latest result). */
export interface ComparisonEntry {
  label: string;
  value: number;
  /** The learned optimizer or agent, highlighted. */
  learned?: boolean;
}

/** Everything the dashboard shows, derived from run events only (the one protocol every trainer emits). */
export interface DashboardState {
  title: string;
  backend: string;
  seed: string;
  runDir: string;
  startedAt: number | null;
  now: number;
  /** What one step is (`meta-step`, `iteration`), from the start event. */
  unit: string;
  done: number;
  total: number;
  startDone: number;
  /** The headline progress metrics, from the start event. */
  headline: string[];
  charts: ChartModel[];
  comparison: { title: string; lowerIsBetter: boolean; entries: ComparisonEntry[] };
  resources: { tensors: number; bytes: number };
  log: string[];
  finished: string | null;
}

const MAX_POINTS = 4000;
const MAX_LOG = 8;

function push(series: Series, x: number, y: number): Series {
  const points =
    series.points.length >= MAX_POINTS ? series.points.filter((_, i) => i % 2 === 0) : series.points;
  return { ...series, points: [...points, { x, y }] };
}

function withLog(state: DashboardState, line: string): string[] {
  return [...state.log, line].slice(-MAX_LOG);
}

/** The initial state for a run; charts appear as the start event names the metrics. */
export function initialDashboardState(info: {
  title: string;
  backend: string;
  seed: string;
  runDir: string;
  baselines?: ComparisonEntry[];
}): DashboardState {
  return {
    title: info.title,
    backend: info.backend,
    seed: info.seed,
    runDir: info.runDir,
    startedAt: null,
    now: Date.now(),
    unit: 'step',
    done: 0,
    total: 0,
    startDone: 0,
    headline: [],
    charts: [],
    comparison: { title: 'held-out', lowerIsBetter: true, entries: info.baselines ?? [] },
    resources: { tensors: 0, bytes: 0 },
    log: [],
    finished: null,
  };
}

function setLearned(state: DashboardState, label: string, value: number): DashboardState['comparison'] {
  const others = state.comparison.entries.filter((e) => e.label !== label);
  return { ...state.comparison, entries: [...others, { label, value, learned: true }] };
}

/** The chart titled `title`, created at the end when missing; `update` gives its next version. */
function withChart(
  charts: ChartModel[],
  title: string,
  update: (chart: ChartModel) => ChartModel,
): ChartModel[] {
  const i = charts.findIndex((c) => c.title === title);
  if (i < 0) return [...charts, update({ title, positive: true, series: [{ name: title, points: [] }] })];
  return charts.map((c, j) => (j === i ? update(c) : c));
}

/** Adds a point to a chart's first series; log scale stays possible while every value is positive. */
function pushPoint(chart: ChartModel, x: number, y: number): ChartModel {
  return {
    ...chart,
    positive: chart.positive && y > 0,
    series: [push(chart.series[0]!, x, y), ...chart.series.slice(1)],
  };
}

/** Title of the chart of the latest evaluation's curve. */
export const CURVE_CHART = 'latest held-out curve';

/** Folds one run event into the dashboard state (pure: returns a new state). */
export function reduceDashboard(state: DashboardState, event: TrainEvent): DashboardState {
  const base = { ...state, now: event.time };
  switch (event.type) {
    case 'start': {
      // Charts in a fixed order: the first headline metric, the objective, the other headlines,
      // then any that came before the start (baseline curves).
      const [first, ...rest] = event.headline;
      const order = [first, event.objective.name, ...rest].filter((t): t is string => t !== undefined);
      let charts: ChartModel[] = [];
      for (const title of order) charts = withChart(charts, title, (c) => c);
      for (const chart of state.charts) {
        if (!order.includes(chart.title)) charts = [...charts, chart];
        else charts = withChart(charts, chart.title, () => chart);
      }
      return {
        ...base,
        startedAt: event.time,
        unit: event.unit,
        total: event.total,
        done: event.startStep,
        startDone: event.startStep,
        headline: event.headline,
        charts,
        comparison: {
          ...state.comparison,
          title: `${event.objective.name} (${event.objective.higherIsBetter ? 'higher' : 'lower'} is better)`,
          lowerIsBetter: !event.objective.higherIsBetter,
        },
        log: withLog(state, event.resumed ? `resumed at ${event.unit} ${event.startStep}` : 'started'),
      };
    }
    case 'progress': {
      let charts = state.charts;
      for (const name of state.headline) {
        const value = event.metrics[name];
        if (value !== undefined && Number.isFinite(value))
          charts = withChart(charts, name, (c) => pushPoint(c, event.step, value));
      }
      return {
        ...base,
        done: event.step,
        resources: { tensors: event.tensors, bytes: event.bytes },
        charts,
        log: event.skipped
          ? withLog(state, `${state.unit} ${event.step}: non-finite update, skipped`)
          : state.log,
      };
    }
    case 'evaluation': {
      let charts = withChart(state.charts, event.name, (c) => pushPoint(c, event.step, event.value));
      if (event.curve) {
        const curve = event.curve.map((y, x) => ({ x, y }));
        charts = withChart(charts, CURVE_CHART, (c) => ({
          ...c,
          positive: curve.every((p) => p.y > 0),
          series: [{ name: 'learned', points: curve }, ...c.series.slice(1)],
        }));
      }
      const spread = event.stderr === undefined ? '' : ` ± ${event.stderr.toFixed(2)}`;
      return {
        ...base,
        charts,
        comparison: setLearned(state, 'learned (validation)', event.value),
        log: withLog(
          state,
          `${state.unit} ${event.step}: ${event.name} ${event.value.toFixed(3)}${spread}${event.best ? ' (best)' : ''}`,
        ),
      };
    }
    case 'checkpoint':
      return { ...base, log: withLog(state, `checkpoint ${event.path}`) };
    case 'settings-changed':
      return {
        ...base,
        log: withLog(state, `settings changed: ${event.changes.map((c) => c.field).join(', ')}`),
      };
    case 'end':
      return { ...base, finished: event.reason, log: withLog(state, `${event.reason}`) };
  }
}

/** Adds baseline curves (e.g. tuned optimizers' held-out loss curves) to the latest-curve chart. */
export function withBaselineCurves(state: DashboardState, curves: Series[]): DashboardState {
  return {
    ...state,
    charts: withChart(state.charts, CURVE_CHART, (c) => ({
      ...c,
      series: [c.series[0] ?? { name: 'learned', points: [] }, ...curves],
    })),
  };
}

/**
 * Adds reference results (tuned baselines on the same held-out tasks): their values to the comparison
 * panel and, for learned optimizers, their loss curves to the latest-curve chart.
 */
export function withReference(
  state: DashboardState,
  reference: { entries: ComparisonEntry[]; curves?: Series[] },
): DashboardState {
  const next = reference.curves?.length ? withBaselineCurves(state, reference.curves) : state;
  return {
    ...next,
    comparison: { ...next.comparison, entries: [...next.comparison.entries, ...reference.entries] },
  };
}
