import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonlWriter, readJsonl } from '../logging/jsonl.js';
import { DiskWriteError, writeFileAtomic } from './durable-write.js';
import { FaultyFileSystem, useFileSystem, type WriteFault } from './file-system.js';

const dir = () => mkdtempSync(join(tmpdir(), 'metagrad-io-'));
let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe('durable writes', () => {
  for (const fault of ['short', 'ENOSPC', 'EIO'] as WriteFault[]) {
    it(`keeps the old file and leaves no temp file on a ${fault} write`, () => {
      const d = dir();
      const path = join(d, 'state.json');
      writeFileSync(path, 'old');
      restore = useFileSystem(new FaultyFileSystem(1, fault));
      expect(() => writeFileAtomic(path, 'x'.repeat(10_000))).toThrow(DiskWriteError);
      expect(readFileSync(path, 'utf8')).toBe('old');
      expect(readdirSync(d)).toEqual(['state.json']);
    });
  }

  it('names the file and the cause', () => {
    const path = join(dir(), 'summary.json');
    restore = useFileSystem(new FaultyFileSystem(1, 'ENOSPC'));
    expect(() => writeFileAtomic(path, '{}')).toThrow(/could not write .*summary\.json: ENOSPC/);
  });
});

describe('JsonlWriter', () => {
  it('cuts a torn last line before appending, so the log stays readable', () => {
    const path = join(dir(), 'metrics.jsonl');
    writeFileSync(path, '{"type":"a","time":1}\n{"type":"b","ti');
    const w = new JsonlWriter(path);
    w.emit({ type: 'c', time: 3 });
    w.close();
    expect(readJsonl(path)).toEqual({
      records: [
        { type: 'a', time: 1 },
        { type: 'c', time: 3 },
      ],
      truncatedTail: false,
    });
  });

  it('cuts the log back to a length recorded earlier (events replayed after a resume)', () => {
    const path = join(dir(), 'metrics.jsonl');
    const w = new JsonlWriter(path);
    w.emit({ type: 'a', time: 1 });
    const mark = w.bytes;
    w.emit({ type: 'b', time: 2 });
    w.close();
    const again = new JsonlWriter(path, { truncateTo: mark });
    again.emit({ type: 'b', time: 2 });
    again.close();
    expect(readJsonl(path).records.map((e) => (e as { type: string }).type)).toEqual(['a', 'b']);
  });

  it('throws on a full disk and leaves no partial line behind', () => {
    const path = join(dir(), 'metrics.jsonl');
    const w = new JsonlWriter(path);
    w.emit({ type: 'a', time: 1 });
    const faulty = new FaultyFileSystem(2, 'short');
    restore = useFileSystem(faulty);
    faulty.writes = 1;
    expect(() => w.emit({ type: 'b', time: 2, padding: 'x'.repeat(100) } as never)).toThrow(DiskWriteError);
    w.close();
    expect(readFileSync(path, 'utf8')).toBe('{"type":"a","time":1}\n');
    expect(w.required).toBe(true);
  });
});
