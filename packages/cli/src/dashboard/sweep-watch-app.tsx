/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text, useApp, useInput } from 'ink';
import { useEffect, useState } from 'react';
import type { SweepManifest, SweepRunState } from '../sweep/sweep-queue.js';
import { SweepTable } from './components/sweep-table/sweep-table.js';
import { useTerminalSize } from './layout/use-terminal-size.js';

/** A sweep's runs as read from Redis. */
export interface SweepSnapshot {
  manifest: SweepManifest;
  states: SweepRunState[];
}

/** Props of {@link SweepWatchApp}. */
export interface SweepWatchAppProps {
  /** Reads the sweep's runs now. */
  poll: () => Promise<SweepSnapshot>;
  intervalMs?: number;
}

/** The dashboard's view of a sweep: one row per run, read again every second; q quits. */
export function SweepWatchApp({ poll, intervalMs = 1000 }: SweepWatchAppProps) {
  const { exit } = useApp();
  const { columns } = useTerminalSize();
  const [snapshot, setSnapshot] = useState<SweepSnapshot | undefined>();
  useInput((input) => {
    if (input === 'q') exit();
  });
  useEffect(() => {
    let live = true;
    const read = () =>
      poll().then(
        (next) => {
          if (live) setSnapshot(next);
        },
        (error: Error) => exit(error),
      );
    void read();
    const timer = setInterval(read, intervalMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [poll, intervalMs, exit]);
  if (!snapshot) return <Text dimColor>reading the sweep…</Text>;
  return (
    <Box flexDirection="column">
      <SweepTable manifest={snapshot.manifest} states={snapshot.states} width={columns} />
      <Text dimColor>q quit · runs: metagrad runs compare &lt;runs-root&gt;/{snapshot.manifest.name}</Text>
    </Box>
  );
}
