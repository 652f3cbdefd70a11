/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { TrainEvent } from '@metagrad/core';
import { useApp } from 'ink';
import { useEffect, useState } from 'react';
import type { MetricsTail } from '../run/metrics-tail.js';
import { Dashboard } from './components/dashboard/dashboard.js';
import { type DashboardState, reduceDashboard } from './state/dashboard-state.js';

/** Props of {@link WatchApp}. */
export interface WatchAppProps {
  initial: DashboardState;
  tail: MetricsTail<TrainEvent>;
  /** Poll interval; redraws happen at most this often (about 10 Hz by default). */
  intervalMs?: number;
}

/** The dashboard attached to a run another process is writing: polls its metrics.jsonl. */
export function WatchApp({ initial, tail, intervalMs = 100 }: WatchAppProps) {
  const { exit } = useApp();
  const [state, setState] = useState(initial);
  useEffect(() => {
    const timer = setInterval(() => {
      try {
        const events = tail.poll();
        if (events.length > 0) setState((s) => events.reduce(reduceDashboard, s));
      } catch (error) {
        // An unreadable log ends the watch with the error (the command reports it, exit 2).
        exit(error as Error);
      }
    }, intervalMs);
    return () => clearInterval(timer);
  }, [tail, intervalMs, exit]);
  return (
    <Dashboard
      state={state}
      controls={false}
      onCommand={(command) => {
        if (command === 'stop') exit();
      }}
    />
  );
}
