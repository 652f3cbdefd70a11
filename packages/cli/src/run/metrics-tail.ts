import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/**
 * Follows a metrics.jsonl file another process appends to: each `poll` returns the complete lines
 * written since the last one, parsed. A line still being written stays buffered until it ends.
 */
export class MetricsTail<T = Record<string, unknown>> {
  private offset = 0;
  private partial = '';

  constructor(readonly path: string) {}

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
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        // A corrupt line in the middle of a live file: skip it rather than stop watching.
      }
    }
    return out;
  }
}
