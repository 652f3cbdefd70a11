import type { EventSink } from '@metagrad/core';
import type { MetaTrainEvent } from '@metagrad/optimizers';

/** Formats seconds as 1h02m, 3m05s or 12s. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/**
 * Plain progress lines for meta-training (no escape codes): one line per epoch at most once a
 * second, every evaluation, checkpoints and the end. For pipes, CI and `--no-tui`.
 */
export class PlainProgress implements EventSink<MetaTrainEvent> {
  private readonly out: (line: string) => void;
  private readonly header: string;
  private started = 0;
  private startEpoch = 0;
  private epochs = 0;
  private lastPrint = 0;
  private lastEval: number | null = null;
  private best: number | null = null;
  private msPerMetaStep: number[] = [];

  constructor(info: { runDir: string; backend: string; task: string }, out?: (line: string) => void) {
    this.out = out ?? ((line) => process.stdout.write(`${line}\n`));
    this.header = `l2l train: task ${info.task}, backend ${info.backend}, run ${info.runDir}`;
  }

  emit(event: MetaTrainEvent): void {
    switch (event.type) {
      case 'start':
        this.started = event.time;
        this.startEpoch = event.startEpoch;
        this.epochs = event.epochs;
        this.out(`${this.header}${event.resumed ? ` (resumed at epoch ${event.startEpoch})` : ''}`);
        break;
      case 'meta-step':
        this.msPerMetaStep.push(event.ms);
        if (this.msPerMetaStep.length > 50) this.msPerMetaStep.shift();
        if (event.skipped) this.out(`meta-step ${event.metaStep}: non-finite meta-gradient, update skipped`);
        break;
      case 'epoch': {
        const done = event.epoch + 1;
        if (event.time - this.lastPrint < 1000 && done !== this.epochs) break;
        this.lastPrint = event.time;
        const elapsed = (event.time - this.started) / 1000;
        const rate = (done - this.startEpoch) / Math.max(elapsed, 1e-9);
        const sorted = [...this.msPerMetaStep].sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
        this.out(
          `epoch ${String(done).padStart(String(this.epochs).length)}/${this.epochs}  ` +
            `meta-loss ${event.metaLoss.toPrecision(4)}  train log10 ${event.log10FinalLoss.toFixed(3)}  ` +
            `eval log10 ${this.lastEval === null ? '-' : this.lastEval.toFixed(3)} (best ${this.best === null ? '-' : this.best.toFixed(3)})  ` +
            `${median.toFixed(0)} ms/meta-step  ETA ${formatDuration((this.epochs - done) / rate)}`,
        );
        break;
      }
      case 'evaluation':
        this.lastEval = event.log10FinalLoss;
        if (event.best) this.best = event.log10FinalLoss;
        break;
      case 'checkpoint':
        break;
      case 'end':
        this.out(
          `${event.reason === 'completed' ? 'done' : 'stopped'} after ${formatDuration(event.ms / 1000)}: ` +
            `best held-out log10 final loss ${event.bestLog10FinalLoss === null ? '-' : event.bestLog10FinalLoss.toFixed(3)}, ` +
            `${event.skippedTotal} skipped updates`,
        );
        break;
    }
  }
}
