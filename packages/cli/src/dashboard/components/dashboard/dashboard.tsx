/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { dashboardLayout } from '../../layout/dashboard-layout.js';
import { useTerminalSize } from '../../layout/use-terminal-size.js';
import type { DashboardState } from '../../state/dashboard-state.js';
import { INITIAL_VIEW, type KeyCommand, reduceViewKey, type ViewState } from '../../state/view-state.js';
import { Chart } from '../chart/chart.js';
import { ComparisonPanel } from '../comparison-panel/comparison-panel.js';
import { EventLog } from '../event-log/event-log.js';
import { Header } from '../header/header.js';
import { Help, helpLines } from '../help/help.js';
import { ProgressBar } from '../progress-bar/progress-bar.js';

/** Props of {@link Dashboard}. */
export interface DashboardProps {
  state: DashboardState;
  /** Receives the commands keys ask for (pause, checkpoint, stop). */
  onCommand: (command: Exclude<KeyCommand, null>) => void;
  /** Whether p and s do anything (false when watching another process's run). */
  controls: boolean;
  /** Columns and rows to draw in; default: the terminal's, following resizes. */
  width?: number;
  height?: number;
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
  width,
  height,
  interactive = true,
  initialView,
}: DashboardProps) {
  const [view, setView] = useState<ViewState>(initialView ?? INITIAL_VIEW);
  useDashboardKeys(interactive, state.charts.length, view, setView, onCommand);
  const terminal = useTerminalSize({ columns: width, rows: height });
  // One column short of the terminal: a row that fills the last column makes some terminals wrap,
  // leaving stray cells behind after the next redraw.
  const columns = Math.max(20, Math.min(terminal.columns - 1, 140));
  const elapsed = state.startedAt === null ? 0 : (state.now - state.startedAt) / 1000;
  const chart = state.charts.length > 0 ? state.charts[view.chartIndex % state.charts.length]! : undefined;
  const status =
    state.finished ?? (view.paused ? 'paused' : state.startedAt === null ? 'starting' : 'running');
  const layout = dashboardLayout(terminal.rows, {
    comparisonEntries: state.comparison.entries.length,
    logLines: state.log.length,
    legend: (chart?.series.length ?? 0) > 1,
    helpLines: view.help ? helpLines(controls) : null,
  });
  return (
    <Box flexDirection="column" width={columns}>
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
        width={columns}
      />
      <Box marginTop={1}>
        {chart ? (
          <Chart
            chart={chart}
            width={columns}
            height={layout.chartRows}
            logScale={view.logScale}
            smoothing={view.smoothingOn ? view.smoothing : 0}
          />
        ) : (
          <Text dimColor>waiting for the run to start…</Text>
        )}
      </Box>
      <Text dimColor wrap="truncate-end">
        chart {state.charts.length === 0 ? 0 : (view.chartIndex % state.charts.length) + 1}/
        {state.charts.length} · tab next · h help
      </Text>
      {layout.comparisonRows > 0 && (
        <Box marginTop={1}>
          <ComparisonPanel
            title={state.comparison.title}
            entries={state.comparison.entries}
            lowerIsBetter={state.comparison.lowerIsBetter}
            width={columns}
            maxRows={layout.comparisonRows}
          />
        </Box>
      )}
      {layout.logRows > 0 && (
        <Box marginTop={1}>
          <EventLog
            lines={state.log}
            tensors={state.resources.tensors}
            bytes={state.resources.bytes}
            maxRows={layout.logRows}
          />
        </Box>
      )}
      {layout.help && <Help controls={controls} />}
    </Box>
  );
}
