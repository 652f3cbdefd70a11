/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from 'ink';
import type { SweepManifest, SweepRunState } from '../../../sweep/sweep-queue.js';
import { bestText, runCount, varyingText } from '../../../sweep/sweep-status-table.js';
import { color } from '../colors.js';

const STATE_COLORS: Record<string, string> = {
  completed: 'green',
  active: 'cyan',
  failed: 'red',
  waiting: 'yellow',
  delayed: 'yellow',
};

/** Props of {@link SweepTable}. */
export interface SweepTableProps {
  manifest: SweepManifest;
  states: SweepRunState[];
  width: number;
}

/** The index of the run with the best value so far (by the objective's direction), or -1. */
export function leadingRun(states: SweepRunState[]): number {
  let lead = -1;
  let leadValue = 0;
  states.forEach((s, i) => {
    const best = s.result?.best ?? s.progress?.best;
    if (!best) return;
    if (lead < 0 || (best.higherIsBetter ? best.value > leadValue : best.value < leadValue)) {
      lead = i;
      leadValue = best.value;
    }
  });
  return lead;
}

/** A sweep's runs, one row each: what varies, its state, a progress bar, its best value; the leader starred. */
export function SweepTable({ manifest, states, width }: SweepTableProps) {
  const settingsWidth = Math.max(8, ...states.map((s) => varyingText(s.varying).length));
  const barWidth = Math.max(5, Math.min(20, width - settingsWidth - 58));
  const lead = leadingRun(states);
  const objective = states.map((s) => s.result?.best ?? s.progress?.best).find((b) => b);
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        sweep {manifest.name} ({manifest.trainer}) · {runCount(states.length)} ·{' '}
        {[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}
      </Text>
      <Text dimColor wrap="truncate-end">
        {`  ${'run'.padEnd(21)} ${'settings'.padEnd(settingsWidth)} ${'state'.padEnd(10)} ${'progress'.padEnd(barWidth + 10)} ${(objective ? `best (${objective.higherIsBetter ? 'max' : 'min'})` : 'best').padStart(10)}`}
      </Text>
      {states.map((s, i) => {
        const progress = s.result ? { step: s.result.steps, total: s.result.steps } : s.progress;
        const fraction = progress && progress.total > 0 ? Math.min(1, progress.step / progress.total) : 0;
        const filled = Math.round(fraction * barWidth);
        const steps = progress && progress.total > 0 ? `${progress.step}/${progress.total}` : '-';
        const state = s.state === 'completed' && s.result ? s.result.status : s.state;
        return (
          <Box key={s.id} flexDirection="column">
            <Text wrap="truncate-end">
              {i === lead ? <Text color={color('yellow')}>★ </Text> : '  '}
              {`${s.id.padEnd(21)} ${varyingText(s.varying).padEnd(settingsWidth)} `}
              <Text color={color(STATE_COLORS[s.state] ?? 'white')}>{state.padEnd(10)}</Text>{' '}
              <Text color={color('green')}>{'█'.repeat(filled)}</Text>
              <Text dimColor>{'░'.repeat(barWidth - filled)}</Text>
              {` ${steps.padEnd(9)} ${bestText(s).padStart(10)}`}
            </Text>
            {s.state === 'failed' && s.failure ? (
              <Text color={color('red')}>{`    ↳ ${s.failure}`}</Text>
            ) : null}
          </Box>
        );
      })}
    </Box>
  );
}
