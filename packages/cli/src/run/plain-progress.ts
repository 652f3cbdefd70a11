import type { EventSink, TrainEvent } from '@metagrad/core';
import { writeStdout } from './stdout.js';

/** Formats seconds as 1h02m, 3m05s or 12s. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Plain progress lines for any training run (no escape codes), from the one event protocol: at most
 * one line a second with the headline metrics, the latest and best evaluation, time per step and
 * the ETA; evaluations, skipped updates and the end. For pipes, CI and `--no-tui`.
 */
export class PlainProgress implements EventSink<TrainEvent> {
  private readonly out: (line: string) => void;
  private readonly header: string;
  private started = 0;
  private startStep = 0;
  private total = 0;
  private unit = 'step';
  private headline: string[] = [];
  private lastPrint = 0;
  private lastEval: string | null = null;
  private best: number | null = null;
  private msPerStep: number[] = [];

  /** `header` starts the first line, e.g. `l2l quadratic: backend wasm, run runs/a`. */
  constructor(header: string, out?: (line: string) => void) {
    this.out = out ?? ((line) => writeStdout(`${line}\n`));
    this.header = header;
  }

  emit(event: TrainEvent): void {
    switch (event.type) {
      case 'start':
        this.started = event.time;
        this.startStep = event.startStep;
        this.total = event.total;
        this.unit = event.unit;
        this.headline = event.headline;
        this.out(`${this.header}${event.resumed ? ` (resumed at ${event.unit} ${event.startStep})` : ''}`);
        break;
      case 'progress': {
        this.msPerStep.push(event.ms);
        if (this.msPerStep.length > 50) this.msPerStep.shift();
        if (event.skipped) this.out(`${this.unit} ${event.step}: non-finite update, skipped`);
        if (event.time - this.lastPrint < 1000 && event.step !== this.total) break;
        this.lastPrint = event.time;
        const rate = (event.step - this.startStep) / Math.max((event.time - this.started) / 1000, 1e-9);
        const sorted = [...this.msPerStep].sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
        const metrics = this.headline
          .filter((name) => event.metrics[name] !== undefined)
          .map((name) => `${name} ${formatNumber(event.metrics[name]!)}`);
        this.out(
          [
            `${this.unit} ${String(event.step).padStart(String(this.total).length)}/${this.total}`,
            ...metrics,
            `held-out ${this.lastEval ?? '-'} (best ${this.best === null ? '-' : formatNumber(this.best)})`,
            `${median.toFixed(0)} ms/${this.unit}`,
            `ETA ${formatDuration((this.total - event.step) / rate)}`,
          ].join('  '),
        );
        break;
      }
      case 'evaluation':
        this.lastEval = `${formatNumber(event.value)}${event.stderr === undefined ? '' : ` ± ${formatNumber(event.stderr)}`}`;
        if (event.best) this.best = event.value;
        break;
      case 'end': {
        const best = event.best === null ? '-' : `${event.best.name} ${formatNumber(event.best.value)}`;
        this.out(
          `${event.reason === 'completed' ? 'done' : event.reason} after ${formatDuration(event.ms / 1000)}: ` +
            `best ${best}, ${event.skippedTotal} skipped updates`,
        );
        break;
      }
      default:
        break;
    }
  }
}

/** A metric for a progress line: 4 significant digits, exponent form for very large or small values. */
function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  return magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3)
    ? value.toExponential(3)
    : value.toPrecision(4);
}
