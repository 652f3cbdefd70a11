import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { writeFileAtomic } from '../io/durable-write.js';
import { JsonlWriter, readJsonl } from './jsonl.js';
import { EventBus, MemorySink } from './run-event.js';
import { describeRun } from './run-info.js';

const dir = () => mkdtempSync(join(tmpdir(), 'metagrad-log-'));

describe('run logging', () => {
  it('writes files atomically and leaves no temp files', () => {
    const d = dir();
    const path = join(d, 'state.json');
    writeFileSync(path, 'old');
    writeFileAtomic(path, '{"step":2}');
    expect(readFileSync(path, 'utf8')).toBe('{"step":2}');
    expect(readdirSync(d)).toEqual(['state.json']);
  });

  it('keeps the old file when the write fails', () => {
    const d = dir();
    const path = join(d, 'state.json');
    writeFileSync(path, 'old');
    expect(() => writeFileAtomic(join(d, 'missing', 'x.json'), 'new')).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('old');
  });

  it('appends JSONL and tolerates a torn last line from a killed run', () => {
    const path = join(dir(), 'metrics.jsonl');
    const w = new JsonlWriter(path);
    w.emit({ type: 'progress', time: 1 });
    w.emit({ type: 'progress', time: 2 });
    w.close();
    expect(readJsonl(path)).toEqual({
      records: [
        { type: 'progress', time: 1 },
        { type: 'progress', time: 2 },
      ],
      truncatedTail: false,
    });
    appendFileSync(path, '{"type":"prog');
    expect(readJsonl(path).truncatedTail).toBe(true);
    expect(readJsonl(path).records).toHaveLength(2);
  });

  it('reports a corrupt line in the middle with its line number', () => {
    const path = join(dir(), 'metrics.jsonl');
    writeFileSync(path, '{"a":1}\nnot json\n{"a":2}\n');
    expect(() => readJsonl(path)).toThrow(/metrics\.jsonl:2: not valid JSON/);
  });

  it('fans events out and detaches a failing sink without stopping the others', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const memory = new MemorySink();
    const bus = new EventBus([
      {
        emit: () => {
          throw new Error('boom');
        },
      },
      memory,
    ]);
    bus.emit({ type: 'a', time: 1 });
    bus.emit({ type: 'b', time: 2 });
    expect(memory.events.map((e) => e.type)).toEqual(['a', 'b']);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('describes the run: versions, backend, machine', () => {
    const info = describeRun();
    expect(info.tfjsVersion).toBe('4.22.0');
    expect(info.backend.length).toBeGreaterThan(0);
    expect(info.cores).toBeGreaterThan(0);
  });
});
