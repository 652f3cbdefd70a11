import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { EventSink, Histogram, RunEvent } from '@metagrad/core';
import { scalarsFromEvents } from './scalars.js';
import { encodeEvent, eventFileName, type TensorBoardEvent } from './tensorboard.js';
import { tfRecord } from './tfrecord.js';

/**
 * Live TensorBoard logging: appends a run's events to a new event file in `dir` as they happen
 * (the scalars of each step, and at each evaluation its value and histograms), so that
 * `tensorboard --logdir dir` follows the run. The file is fsynced at every evaluation and at the
 * end. Tags are those of `runs export` (`progress/<metric>`, `evaluation/<name>`); histograms are
 * `evaluation/<histogram>`. A resumed run writes a file of its own: TensorBoard drops the steps
 * the first file logged past the resume point (its purging of orphaned data).
 */
export class TensorBoardSink implements EventSink<RunEvent> {
  /** The event file being written. */
  readonly path: string;
  private fd: number | undefined;

  constructor(dir: string, wallTime = Date.now() / 1000) {
    mkdirSync(dir, { recursive: true });
    let path = join(dir, eventFileName(wallTime));
    // Two runs in one second (a quick resume) must not share a file: the second would append a header.
    for (let n = 1; existsSync(path); n++) path = join(dir, `${eventFileName(wallTime)}.${n}`);
    this.path = path;
    this.fd = openSync(path, 'wx');
    this.append({ wallTime, fileVersion: 'brain.Event:2' });
  }

  emit(event: RunEvent): void {
    if (this.fd === undefined) return;
    const record = event as unknown as Record<string, unknown>;
    const points = scalarsFromEvents([record]);
    const histograms = Object.entries((record.histograms ?? {}) as Record<string, Histogram>)
      .filter(([, h]) => h.count > 0)
      .map(([name, histogram]) => ({ tag: `evaluation/${name}`, histogram }));
    if (points.length > 0 || histograms.length > 0) {
      const scalars = points.map(({ tag, value }) => ({ tag, value }));
      const step = points[0]?.step ?? (typeof record.step === 'number' ? record.step : 0);
      this.append({ wallTime: event.time / 1000, step, scalars, histograms });
    }
    if (event.type === 'evaluation') fsyncSync(this.fd);
    if (event.type === 'end') this.close();
  }

  /** Flushes the file to disk and closes it; later events are ignored. */
  close(): void {
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }

  private append(event: TensorBoardEvent): void {
    appendFileSync(this.fd!, tfRecord(encodeEvent(event)));
  }
}
