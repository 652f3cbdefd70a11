/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Text } from 'ink';
import { formatDuration } from '../../../run/plain-progress.js';

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
  const barWidth = Math.max(10, width - 48);
  const filled = Math.round(fraction * barWidth);
  const rate = elapsedSeconds > 0 ? doneSinceStart / elapsedSeconds : 0;
  const eta = rate > 0 ? formatDuration((total - done) / rate) : '?';
  return (
    <Text>
      <Text color="green">{'█'.repeat(filled)}</Text>
      <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>
      {` ${done}/${total} ${unit}s  ${rate.toFixed(2)} ${unit}s/s  ETA ${eta}`}
    </Text>
  );
}
