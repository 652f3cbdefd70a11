/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { Worker } from 'node:worker_threads';
import { Text, useApp, useInput } from 'ink';
import { useEffect, useRef, useState } from 'react';
import { EXIT_CODES } from '../run/exit-codes.js';
import type { TrainStatus, WorkerCommand, WorkerMessage } from '../run/train-protocol.js';
import { Dashboard } from './components/dashboard/dashboard.js';
import {
  type DashboardState,
  initialDashboardState,
  reduceDashboard,
  withReference,
} from './state/dashboard-state.js';

/** Props of {@link TrainApp}. */
export interface TrainAppProps {
  worker: Worker;
  onPrint: (text: string) => void;
  onError: (name: string, message: string) => void;
  /** How the run ended (sent by the worker when it finished). */
  onDone?: (status: TrainStatus) => void;
  /** The first Ctrl-C: the run stops after its current step. */
  onInterrupt?: () => void;
}

const REDRAW_MS = 100;

/**
 * The dashboard for a training run in a worker thread. Events are batched and applied at most every
 * 100 ms (about 10 Hz), so drawing never competes with training; keys are sent to the worker at once.
 */
export function TrainApp({ worker, onPrint, onError, onDone, onInterrupt }: TrainAppProps) {
  const { exit } = useApp();
  const [state, setState] = useState<DashboardState | null>(null);
  const pending = useRef<WorkerMessage[]>([]);
  const interrupts = useRef(0);
  useEffect(() => {
    const onMessage = (message: WorkerMessage) => {
      if (message.type === 'print') onPrint(message.text);
      else if (message.type === 'done') {
        onDone?.(message.status);
        pending.current.push(message);
      } else if (message.type === 'error') {
        onError(message.name, message.message);
        exit();
      } else pending.current.push(message);
    };
    worker.on('message', onMessage);
    const timer = setInterval(() => {
      const batch = pending.current.splice(0);
      if (batch.length === 0) return;
      setState((current) => {
        let next = current;
        for (const m of batch) {
          if (m.type === 'start') {
            next = initialDashboardState({
              title: m.title,
              backend: m.backend,
              seed: m.seed,
              runDir: m.runDir,
            });
          } else if (m.type === 'reference' && next) {
            next = withReference(next, m.reference);
          } else if (m.type === 'event' && next) next = reduceDashboard(next, m.event);
        }
        return next;
      });
      if (batch.some((m) => m.type === 'done')) setTimeout(exit, REDRAW_MS);
    }, REDRAW_MS);
    return () => {
      clearInterval(timer);
      worker.off('message', onMessage);
    };
  }, [worker, exit, onPrint, onError, onDone]);
  const send = (command: WorkerCommand) => worker.postMessage(command);
  // Ctrl-C: the first stops gracefully (checkpoint and summary), the second quits at once.
  useInput((input, key) => {
    if (key.ctrl && input === 'c') {
      interrupts.current++;
      if (interrupts.current === 1) {
        onInterrupt?.();
        send({ type: 'stop' });
      } else process.exit(EXIT_CODES.interrupted);
    }
  });
  if (!state) return <Text>starting…</Text>;
  return <Dashboard state={state} controls onCommand={(command) => send({ type: command })} />;
}
