import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ConfigError, escapedExcerpt } from '@metagrad/core';

/**
 * Follows a metrics.jsonl file another process appends to: each `poll` returns the complete lines
 * written since the last one, parsed. A line still being written stays buffered until it ends. A
 * complete line that is not JSON is a ConfigError naming the run directory and the line, escaped,
 * as `runs show` and `runs export` report it (exit 2): a writer never leaves one behind it.
 */
export class MetricsTail<T = Record<string, unknown>> {
  private offset = 0;
  private partial = '';
  private lines = 0;

  constructor(readonly path: string) {}

  /** The start of a last line that has not ended yet (a writer killed mid-line leaves one). */
  get pendingLine(): string {
    return this.partial;
  }

  poll(): T[] {
    if (!existsSync(this.path)) return [];
    const size = statSync(this.path).size;
    if (size <= this.offset) return [];
    const fd = openSync(this.path, 'r');
    const buffer = Buffer.alloc(size - this.offset);
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const text = this.partial + buffer.toString('utf8');
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    const out: T[] = [];
    for (const line of lines) {
      this.lines++;
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        throw new ConfigError(
          'run-dir',
          dirname(this.path),
          `${basename(this.path)} is corrupt (${this.path}:${this.lines}: not valid JSON: ${escapedExcerpt(line)})`,
        );
      }
    }
    return out;
  }
}
