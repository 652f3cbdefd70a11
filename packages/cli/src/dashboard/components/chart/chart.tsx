/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from 'ink';
import { renderBraille } from '../../chart/braille.js';
import { debiasedEma } from '../../chart/smoothing.js';
import type { ChartModel } from '../../state/dashboard-state.js';
import { SERIES_COLORS } from '../colors.js';

/** Props of {@link Chart}. */
export interface ChartProps {
  chart: ChartModel;
  width: number;
  height: number;
  logScale: boolean;
  /** TensorBoard smoothing weight (0 = off). */
  smoothing: number;
}

function label(value: number, log: boolean): string {
  const v = log ? 10 ** value : value;
  return Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-2 && v !== 0) ? v.toExponential(1) : v.toPrecision(3);
}

/** A braille line chart with a y-axis, several series overlaid (one colour each) and a legend. */
export function Chart({ chart, width, height, logScale, smoothing }: ChartProps) {
  const log = logScale && chart.positive;
  const series = chart.series.map((s) => {
    if (smoothing <= 0) return s;
    const ys = debiasedEma(
      s.points.map((p) => p.y),
      smoothing,
    );
    return { ...s, points: s.points.map((p, i) => ({ x: p.x, y: ys[i]! })) };
  });
  const axisWidth = 9;
  const plot = renderBraille(series, Math.max(4, width - axisWidth - 1), height, { logScale: log });
  const empty = chart.series.every((s) => s.points.length === 0);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {chart.title}
        {log ? ' (log)' : ''}
        {smoothing > 0 ? ` (smoothed ${smoothing})` : ''}
      </Text>
      {empty ? (
        <Text dimColor>waiting for data…</Text>
      ) : (
        plot.rows.map((row, r) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
          <Box key={r}>
            <Text dimColor>
              {(r === 0
                ? label(plot.yMax, log)
                : r === plot.rows.length - 1
                  ? label(plot.yMin, log)
                  : ''
              ).padStart(axisWidth)}{' '}
            </Text>
            {row.map((cell, c) => (
              <Text
                // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                key={c}
                color={cell.series === null ? undefined : SERIES_COLORS[cell.series % SERIES_COLORS.length]}
              >
                {cell.char}
              </Text>
            ))}
          </Box>
        ))
      )}
      {chart.series.length > 1 && (
        <Text wrap="truncate-end">
          {chart.series.map((s, i) => (
            <Text key={s.name} color={SERIES_COLORS[i % SERIES_COLORS.length]}>
              {`■ ${s.name}  `}
            </Text>
          ))}
        </Text>
      )}
    </Box>
  );
}
