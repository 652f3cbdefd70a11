/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import type { DashboardState } from '../../state/dashboard-state.js';
import { INITIAL_VIEW, type KeyCommand, reduceViewKey, type ViewState } from '../../state/view-state.js';
import { Chart } from '../chart/chart.js';
import { ComparisonPanel } from '../comparison-panel/comparison-panel.js';
import { EventLog } from '../event-log/event-log.js';
import { Header } from '../header/header.js';
import { Help } from '../help/help.js';
import { ProgressBar } from '../progress-bar/progress-bar.js';

/** Props of {@link Dashboard}. */
export interface DashboardProps {
  state: DashboardState;
  /** Receives the commands keys ask for (pause, checkpoint, stop). */
  onCommand: (command: Exclude<KeyCommand, null>) => void;
  /** Whether p and s do anything (false when watching another process's run). */
  controls: boolean;
  width?: number;
  /** Listen to keys (needs a TTY on stdin). */
  interactive?: boolean;
  initialView?: ViewState;
}

/** Key handling, kept apart from rendering. */
function useDashboardKeys(
  enabled: boolean,
  charts: number,
  view: ViewState,
  setView: (v: ViewState) => void,
  onCommand: DashboardProps['onCommand'],
) {
  useInput(
    (input, key) => {
      const next = reduceViewKey(view, input, key.tab, charts);
      setView(next.view);
      if (next.command) onCommand(next.command);
    },
    { isActive: enabled },
  );
}

/** The whole dashboard: header, progress, the selected chart, the comparison panel and the event log. */
export function Dashboard({
  state,
  onCommand,
  controls,
  width = 100,
  interactive = true,
  initialView,
}: DashboardProps) {
  const [view, setView] = useState<ViewState>(initialView ?? INITIAL_VIEW);
  useDashboardKeys(interactive, state.charts.length, view, setView, onCommand);
  const elapsed = state.startedAt === null ? 0 : (state.now - state.startedAt) / 1000;
  const chart = state.charts[view.chartIndex % state.charts.length]!;
  const status =
    state.finished ?? (view.paused ? 'paused' : state.startedAt === null ? 'starting' : 'running');
  return (
    <Box flexDirection="column" width={width}>
      <Header
        title={state.title}
        backend={state.backend}
        seed={state.seed}
        runDir={state.runDir}
        elapsedSeconds={elapsed}
        status={status}
      />
      <ProgressBar
        done={state.done}
        total={state.total}
        doneSinceStart={state.done - state.startDone}
        elapsedSeconds={elapsed}
        unit={state.unit}
        width={width}
      />
      <Box marginTop={1}>
        <Chart
          chart={chart}
          width={width}
          height={10}
          logScale={view.logScale}
          smoothing={view.smoothingOn ? view.smoothing : 0}
        />
      </Box>
      <Text dimColor>
        chart {(view.chartIndex % state.charts.length) + 1}/{state.charts.length} · tab next · h help
      </Text>
      <Box marginTop={1}>
        <ComparisonPanel
          title={state.comparison.title}
          entries={state.comparison.entries}
          lowerIsBetter={state.comparison.lowerIsBetter}
          width={width}
        />
      </Box>
      <Box marginTop={1}>
        <EventLog lines={state.log} tensors={state.resources.tensors} bytes={state.resources.bytes} />
      </Box>
      {view.help && <Help controls={controls} />}
    </Box>
  );
}
