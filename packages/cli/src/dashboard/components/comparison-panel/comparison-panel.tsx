/** @jsxRuntime automatic */
/** @jsxImportSource react */

import { Box, Text } from 'ink';
import type { ComparisonEntry } from '../../state/dashboard-state.js';
import { color } from '../colors.js';

/** Props of {@link ComparisonPanel}. */
export interface ComparisonPanelProps {
  title: string;
  /** Entries shown at most (the best first). */
  maxRows?: number;
  entries: ComparisonEntry[];
  lowerIsBetter: boolean;
  width: number;
}

/** The learned optimizer or agent against the baselines, best first, with bars scaled to the range. */
export function ComparisonPanel({ title, entries, lowerIsBetter, width, maxRows }: ComparisonPanelProps) {
  const sorted = [...entries]
    .sort((a, b) => (lowerIsBetter ? a.value - b.value : b.value - a.value))
    .slice(0, maxRows ?? entries.length);
  const values = sorted.map((e) => e.value).filter(Number.isFinite);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const barWidth = Math.max(5, width - 36);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {title}
      </Text>
      {sorted.length === 0 && <Text dimColor>no results yet</Text>}
      {sorted.map((e) => {
        // Longer bar = better.
        const goodness =
          max === min ? 1 : lowerIsBetter ? (max - e.value) / (max - min) : (e.value - min) / (max - min);
        const bar = '▇'.repeat(Math.max(1, Math.round(0.1 * barWidth + goodness * 0.9 * barWidth)));
        return (
          <Text
            key={e.label}
            wrap="truncate-end"
            color={e.learned ? color('cyan') : undefined}
            bold={e.learned}
          >
            {e.label.padEnd(22)} {e.value.toFixed(3).padStart(8)} {bar}
          </Text>
        );
      })}
    </Box>
  );
}
