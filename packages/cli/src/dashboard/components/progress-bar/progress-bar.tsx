/** @jsxRuntime automatic */
/** @jsxImportSource react */

import { Text } from 'ink';
import { formatDuration } from '../../../run/plain-progress.js';
import { color } from '../colors.js';

/** Props of {@link ProgressBar}. */
export interface ProgressBarProps {
  done: number;
  total: number;
  /** Units done since this process started, and for how long: for the rate and ETA. */
  doneSinceStart: number;
  elapsedSeconds: number;
  unit: string;
  width: number;
}

/** `[█████░░░░] 120/300 epochs  2.1 epochs/s  ETA 1m25s` */
export function ProgressBar({ done, total, doneSinceStart, elapsedSeconds, unit, width }: ProgressBarProps) {
  const fraction = total > 0 ? Math.min(1, done / total) : 0;
  const rate = elapsedSeconds > 0 ? doneSinceStart / elapsedSeconds : 0;
  const eta = rate > 0 ? formatDuration((total - done) / rate) : '?';
  const text = ` ${done}/${total} ${unit}s  ${rate.toFixed(2)} ${unit}s/s  ETA ${eta}`;
  // The bar takes what the text leaves, so the line never wraps.
  const barWidth = Math.max(5, Math.min(width - 48, width - text.length));
  const filled = Math.round(fraction * barWidth);
  return (
    <Text wrap="truncate-end">
      <Text color={color('green')}>{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>
      {text}
    </Text>
  );
}
