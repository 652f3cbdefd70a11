import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { EventSink, RunEvent } from './run-event.js';

/**
 * Appends one JSON object per line to a file, writing each line through to the OS at once
 * (no buffering), so a run killed with SIGKILL loses at most the line being written.
 *
 * @example
 * ```ts
 * const log = new JsonlWriter('runs/a/metrics.jsonl');
 * log.emit({ type: 'meta-loss', time: Date.now(), step: 3, value: 0.42 });
 * log.close();
 * ```
 */
export class JsonlWriter<E extends RunEvent = RunEvent> implements EventSink<E> {
  readonly path: string;
  private fd: number | undefined;

  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, 'a');
  }

  emit(event: E): void {
    if (this.fd === undefined) throw new Error(`JsonlWriter: ${this.path} is closed`);
    writeSync(this.fd, `${JSON.stringify(event)}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Result of {@link readJsonl}. */
export interface JsonlContents<T> {
  records: T[];
  /** True when the last line was cut short (a run killed mid-write); it is left out of `records`. */
  truncatedTail: boolean;
}

/**
 * Reads a JSONL file written by {@link JsonlWriter}. A torn final line (from a killed run) is
 * tolerated and reported; a malformed line anywhere else throws an error naming the line.
 */
export function readJsonl<T = unknown>(path: string): JsonlContents<T> {
  if (!existsSync(path)) return { records: [], truncatedTail: false };
  const lines = readFileSync(path, 'utf8').split('\n');
  const endsClean = lines[lines.length - 1] === '';
  if (endsClean) lines.pop();
  const records: T[] = [];
  let truncatedTail = false;
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      if (i === lines.length - 1 && !endsClean) truncatedTail = true;
      else throw new Error(`${path}:${i + 1}: not valid JSON: ${line.slice(0, 60)}`);
    }
  });
  return { records, truncatedTail };
}
