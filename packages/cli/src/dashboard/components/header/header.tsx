/** @jsxRuntime automatic */
/** @jsxImportSource react */

import { Box, Text } from 'ink';
import { formatDuration } from '../../../run/plain-progress.js';
import { color } from '../colors.js';

/** Props of {@link Header}. */
export interface HeaderProps {
  title: string;
  backend: string;
  seed: string;
  runDir: string;
  elapsedSeconds: number;
  status: string;
}

/** Task or environment, backend, seed, run directory and elapsed time. */
export function Header({ title, backend, seed, runDir, elapsedSeconds, status }: HeaderProps) {
  return (
    <Box justifyContent="space-between">
      <Text wrap="truncate-end">
        <Text bold color={color('cyan')}>
          metagrad
        </Text>{' '}
        {title} · backend {backend} · seed {seed} · {runDir}
      </Text>
      <Text wrap="truncate-end">
        {' '}
        {status} · {formatDuration(elapsedSeconds)}
      </Text>
    </Box>
  );
}
