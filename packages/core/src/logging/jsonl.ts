import { platform } from '#platform';
import { asDiskWriteError, syncDirectory, writeFully } from '../io/durable-write.js';
import { fileSystem, readTextFile } from '../io/file-system.js';
import type { EventSink, RunEvent } from './run-event.js';

/** Options of {@link JsonlWriter}. */
export interface JsonlWriterOptions {
  /**
   * Cut the file to this many bytes before appending: a resumed run passes the length the log had
   * when its checkpoint was written, so events it replays are not logged twice.
   */
  truncateTo?: number;
}

/**
 * Appends one JSON object per line to a file, writing each line through to the OS at once (no
 * buffering), so a run killed with SIGKILL loses at most the line being written. On opening, a torn
 * last line (left by a killed run) is cut off, so appending never glues a new line onto it. A write
 * that fails (full disk) throws a `DiskWriteError`: the writer is `required`, so training stops
 * rather than going on without a record.
 *
 * @example
 * ```ts
 * const log = new JsonlWriter('runs/a/metrics.jsonl');
 * log.emit({ type: 'progress', time: Date.now() });
 * log.close();
 * ```
 */
export class JsonlWriter<E extends RunEvent = RunEvent> implements EventSink<E> {
  readonly path: string;
  readonly required = true;
  private fd: number | undefined;
  private length: number;

  constructor(path: string, options: JsonlWriterOptions = {}) {
    this.path = path;
    const fs = fileSystem();
    const size = fs.existsSync(path) ? fs.statSync(path).size : 0;
    const keep = completeLinesLength(path, Math.min(size, options.truncateTo ?? size));
    try {
      // Append mode: every line lands at the end, also after the tail was cut.
      this.fd = fs.openSync(path, 'a');
      if (keep < size) {
        fs.ftruncateSync(this.fd, keep);
        fs.fsyncSync(this.fd);
      }
    } catch (error) {
      if (this.fd !== undefined) fs.closeSync(this.fd);
      throw asDiskWriteError(error, path);
    }
    if (size === 0) syncDirectory(platform.dirname(path));
    this.length = keep;
  }

  /** Bytes in the file now (every line written so far, complete). */
  get bytes(): number {
    return this.length;
  }

  emit(event: E): void {
    if (this.fd === undefined) throw new Error(`JsonlWriter: ${this.path} is closed`);
    const line = new TextEncoder().encode(`${JSON.stringify(event)}\n`);
    try {
      writeFully(this.fd, line, this.path);
    } catch (error) {
      // Cut whatever part of the line reached the file, so the log stays whole lines.
      try {
        fileSystem().ftruncateSync(this.fd, this.length);
      } catch {
        /* the disk is failing; readers tolerate one torn tail */
      }
      throw error;
    }
    this.length += line.length;
  }

  /** Flushes the log to the disk (called before a checkpoint records its length). */
  sync(): void {
    if (this.fd === undefined) return;
    try {
      fileSystem().fsyncSync(this.fd);
    } catch (error) {
      throw asDiskWriteError(error, this.path);
    }
  }

  close(): void {
    if (this.fd !== undefined) fileSystem().closeSync(this.fd);
    this.fd = undefined;
  }
}

/** The length of the longest prefix of the file's first `limit` bytes that ends with a newline. */
function completeLinesLength(path: string, limit: number): number {
  const fs = fileSystem();
  if (limit === 0 || !fs.existsSync(path)) return 0;
  const fd = fs.openSync(path, 'r');
  try {
    const chunk = 64 * 1024;
    let end = limit;
    const buffer = new Uint8Array(chunk);
    while (end > 0) {
      const start = Math.max(0, end - chunk);
      const n = fs.readSync(fd, buffer, 0, end - start, start);
      const i = buffer.subarray(0, n).lastIndexOf(0x0a);
      if (i >= 0) return start + i + 1;
      end = start;
    }
    return 0;
  } finally {
    fs.closeSync(fd);
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
  if (!fileSystem().existsSync(path)) return { records: [], truncatedTail: false };
  const lines = readTextFile(path).split('\n');
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
      else throw new Error(`${path}:${i + 1}: not valid JSON: ${escapedExcerpt(line)}`);
    }
  });
  return { records, truncatedTail };
}

/**
 * The start of an unreadable line, safe to print on a terminal: quoted, with control characters,
 * invalid UTF-8 (read as U+FFFD) and anything past ASCII written as escapes.
 */
export function escapedExcerpt(line: string, length = 60): string {
  const excerpt = JSON.stringify(line.slice(0, length)).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return line.length > length ? `${excerpt}…` : excerpt;
}
