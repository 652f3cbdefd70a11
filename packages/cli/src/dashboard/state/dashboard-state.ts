import type { MetaTrainEvent } from '@metagrad/optimizers';
import type { Rl2Event } from '@metagrad/rl';

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

/** Everything the dashboard shows, derived from run events only. */
export interface DashboardState {
  kind: 'l2l' | 'rl2';
  title: string;
  backend: string;
  seed: string;
  runDir: string;
  startedAt: number | null;
  now: number;
  unit: 'epoch' | 'iteration';
  done: number;
  total: number;
  startDone: number;
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

/** The initial state for a run. */
export function initialDashboardState(info: {
  kind: 'l2l' | 'rl2';
  title: string;
  backend: string;
  seed: string;
  runDir: string;
  baselines?: ComparisonEntry[];
}): DashboardState {
  const l2l = info.kind === 'l2l';
  return {
    kind: info.kind,
    title: info.title,
    backend: info.backend,
    seed: info.seed,
    runDir: info.runDir,
    startedAt: null,
    now: Date.now(),
    unit: l2l ? 'epoch' : 'iteration',
    done: 0,
    total: 0,
    startDone: 0,
    charts: l2l
      ? [
          { title: 'meta-loss per truncation', positive: true, series: [{ name: 'meta-loss', points: [] }] },
          { title: 'held-out log10 final loss', positive: false, series: [{ name: 'learned', points: [] }] },
          { title: 'latest held-out loss curve', positive: true, series: [{ name: 'learned', points: [] }] },
        ]
      : [
          { title: 'mean return per trial', positive: false, series: [{ name: 'training', points: [] }] },
          { title: 'held-out mean return', positive: false, series: [{ name: 'agent', points: [] }] },
          { title: 'policy entropy', positive: true, series: [{ name: 'entropy', points: [] }] },
        ],
    comparison: {
      title: l2l ? 'held-out log10 final loss (lower is better)' : 'held-out mean return (higher is better)',
      lowerIsBetter: l2l,
      entries: info.baselines ?? [],
    },
    resources: { tensors: 0, bytes: 0 },
    log: [],
    finished: null,
  };
}

function setLearned(state: DashboardState, label: string, value: number): DashboardState['comparison'] {
  const others = state.comparison.entries.filter((e) => e.label !== label);
  return { ...state.comparison, entries: [...others, { label, value, learned: true }] };
}

function updateChart(
  state: DashboardState,
  index: number,
  update: (chart: ChartModel) => ChartModel,
): ChartModel[] {
  return state.charts.map((c, i) => (i === index ? update(c) : c));
}

/** Folds one run event into the dashboard state (pure: returns a new state). */
export function reduceDashboard(state: DashboardState, event: MetaTrainEvent | Rl2Event): DashboardState {
  const base = { ...state, now: event.time };
  switch (event.type) {
    case 'start': {
      const total = 'epochs' in event ? event.epochs : event.iterations;
      const from = 'startEpoch' in event ? event.startEpoch : event.startIteration;
      return {
        ...base,
        startedAt: event.time,
        total,
        done: from,
        startDone: from,
        log: withLog(state, event.resumed ? `resumed at ${state.unit} ${from}` : 'started'),
      };
    }
    case 'meta-step':
      return {
        ...base,
        charts: updateChart(state, 0, (c) => ({
          ...c,
          series: [push(c.series[0]!, event.metaStep, event.metaLoss)],
        })),
        log: event.skipped
          ? withLog(state, `meta-step ${event.metaStep}: non-finite gradient, skipped`)
          : state.log,
      };
    case 'epoch':
      return { ...base, done: event.epoch + 1, resources: { tensors: event.tensors, bytes: event.bytes } };
    case 'iteration':
      return {
        ...base,
        done: event.iteration,
        resources: { tensors: event.tensors, bytes: event.bytes },
        charts: state.charts.map((c, i) =>
          i === 0
            ? { ...c, series: [push(c.series[0]!, event.iteration, event.meanReturn)] }
            : i === 2
              ? { ...c, series: [push(c.series[0]!, event.iteration, event.entropy)] }
              : c,
        ),
      };
    case 'evaluation': {
      if ('log10FinalLoss' in event) {
        const charts = state.charts.map((c, i) => {
          if (i === 1) return { ...c, series: [push(c.series[0]!, event.epoch + 1, event.log10FinalLoss)] };
          if (i === 2)
            return {
              ...c,
              series: [
                { name: 'learned', points: event.curve.map((y, x) => ({ x, y })) },
                ...c.series.slice(1),
              ],
            };
          return c;
        });
        return {
          ...base,
          charts,
          comparison: setLearned(state, 'learned (validation)', event.log10FinalLoss),
          log: withLog(
            state,
            `epoch ${event.epoch + 1}: held-out log10 ${event.log10FinalLoss.toFixed(3)}${event.best ? ' (best)' : ''}`,
          ),
        };
      }
      return {
        ...base,
        charts: updateChart(state, 1, (c) => ({
          ...c,
          series: [push(c.series[0]!, event.iteration, event.mean)],
        })),
        comparison: setLearned(state, 'RL² (latest)', event.mean),
        log: withLog(
          state,
          `iteration ${event.iteration}: held-out ${event.mean.toFixed(2)} ± ${event.stderr.toFixed(2)}`,
        ),
      };
    }
    case 'checkpoint':
      return { ...base, log: withLog(state, `checkpoint ${event.path}`) };
    case 'end':
      return { ...base, finished: event.reason, log: withLog(state, `${event.reason}`) };
  }
}

/** Adds baseline curves (e.g. tuned optimizers' held-out loss curves) to the latest-curve chart. */
export function withBaselineCurves(state: DashboardState, curves: Series[]): DashboardState {
  return { ...state, charts: updateChart(state, 2, (c) => ({ ...c, series: [c.series[0]!, ...curves] })) };
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
