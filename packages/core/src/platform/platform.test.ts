import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDirectoryAtomic, writeFileAtomic } from '../io/durable-write.js';
import { readTextFile, useFileSystem } from '../io/file-system.js';
import { zipDirectory } from '../io/zip-directory.js';
import { base64ToBytes, bytesToBase64 } from '../logging/base64.js';
import { JsonlWriter, readJsonl } from '../logging/jsonl.js';
import { METAGRAD_VERSION } from '../logging/run-info.js';
import { Rng } from '../random/rng.js';
import { CheckpointStore } from '../training/checkpoint-store.js';
import { MemoryFileSystem } from './memory-file-system.js';
import { basename, dirname, joinPath } from './posix-path.js';
import { sha256Hex } from './sha256.js';

function randomBytes(rng: Rng, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => rng.int(256));
}

describe('the browser platform pieces, against Node', () => {
  it("SHA-256 equals Node's crypto at every padding boundary and on long input", () => {
    const rng = new Rng(1);
    for (const length of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 1000, 100_003]) {
      const bytes = randomBytes(rng, length);
      expect(sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    expect(sha256Hex('naïve ✓')).toBe(createHash('sha256').update('naïve ✓').digest('hex'));
  });

  it('POSIX paths equal node:path.posix', () => {
    const cases = [
      ['runs', 'a', 'best'],
      ['/runs/', './a', '../b', 'c/'],
      ['a', '', 'b'],
      ['../x', 'y'],
      ['/'],
      ['/..', 'a'],
    ];
    for (const parts of cases) expect(joinPath(...parts)).toBe(posix.join(...parts));
    for (const path of ['/runs/a/step-1.json', 'a/b', 'a', '/a', '/', 'a/b/']) {
      expect(dirname(path)).toBe(posix.dirname(path));
      expect(basename(path)).toBe(posix.basename(path));
    }
  });

  it("base64 equals Node's Buffer", () => {
    const rng = new Rng(2);
    for (const length of [0, 1, 2, 3, 100_001]) {
      const bytes = randomBytes(rng, length);
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(text)).toEqual(bytes);
    }
  });

  it("METAGRAD_VERSION is @metagrad/core's version", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(METAGRAD_VERSION).toBe(pkg.version);
  });
});

describe('MemoryFileSystem', () => {
  it('carries the durable writers, the log and checkpoints as the disk does', () => {
    const memory = new MemoryFileSystem();
    const restore = useFileSystem(memory);
    try {
      memory.mkdirSync('/runs/a', { recursive: true });
      writeFileAtomic('/runs/a/summary.json', '{"x":1}');
      expect(readTextFile('/runs/a/summary.json')).toBe('{"x":1}');
      writeDirectoryAtomic('/runs/a/best', { 'm.json': '{}', 'w.bin': new Uint8Array([1, 2, 3]) });
      writeDirectoryAtomic('/runs/a/best', { 'm.json': '{"v":2}' });
      expect(memory.readdirSync('/runs/a/best')).toEqual(['m.json']);
      expect(memory.readdirSync('/runs/a')).toEqual(['best', 'summary.json']);

      const log = new JsonlWriter('/runs/a/metrics.jsonl');
      log.emit({ type: 'progress', time: 1 });
      log.emit({ type: 'progress', time: 2 });
      log.close();
      // A torn tail, as a killed writer leaves: reopening cuts it, reading skips it.
      const fd = memory.openSync('/runs/a/metrics.jsonl', 'a');
      memory.writeSync(fd, new TextEncoder().encode('{"type":'), 0, 8);
      memory.closeSync(fd);
      expect(readJsonl('/runs/a/metrics.jsonl')).toMatchObject({ truncatedTail: true });
      new JsonlWriter('/runs/a/metrics.jsonl').close();
      expect(readJsonl('/runs/a/metrics.jsonl').records).toHaveLength(2);

      const store = new CheckpointStore('/runs/a/checkpoints', { kind: 'test', keep: 2 });
      for (const step of [1, 2, 3])
        store.write({
          step,
          state: { step },
          tensors: { w: [{ name: 'w', shape: [2], values: new Float32Array([step, -step]) }] },
        });
      expect(store.list().map((p) => posix.basename(p))).toEqual([
        'step-0000000002.json',
        'step-0000000003.json',
      ]);
      expect(store.latest()?.data.tensors.w?.[0]?.values).toEqual(new Float32Array([3, -3]));
    } finally {
      restore();
    }
  });

  it('refuses what POSIX refuses, with the same error codes', () => {
    const memory = new MemoryFileSystem();
    const code = (f: () => unknown) => {
      try {
        f();
        return 'ok';
      } catch (error) {
        return (error as { code?: string }).code;
      }
    };
    expect(code(() => memory.readFileSync('/none'))).toBe('ENOENT');
    expect(code(() => memory.mkdirSync('/a/b'))).toBe('ENOENT');
    memory.mkdirSync('/a/b', { recursive: true });
    expect(code(() => memory.mkdirSync('/a'))).toBe('EEXIST');
    const fd = memory.openSync('/a/f', 'wx');
    memory.closeSync(fd);
    expect(code(() => memory.openSync('/a/f', 'wx'))).toBe('EEXIST');
    expect(code(() => memory.linkSync('/a/f', '/a/f'))).toBe('EEXIST');
    expect(code(() => memory.rmSync('/a'))).toBe('ENOTEMPTY');
    expect(code(() => memory.renameSync('/a/f', '/a/b/c/f'))).toBe('ENOENT');
    expect(code(() => memory.closeSync(fd))).toBe('EBADF');
    memory.rmSync('/a', { recursive: true });
    expect(memory.existsSync('/a/b')).toBe(false);
  });
});

describe('zipDirectory', () => {
  const python = spawnSync('python3', ['-c', 'import zipfile'], { encoding: 'utf8' });

  it.skipIf(python.status !== 0)(
    "is read back by Python's zipfile with every name, byte and CRC (and zips the same bytes twice)",
    () => {
      const memory = new MemoryFileSystem();
      const restore = useFileSystem(memory);
      const rng = new Rng(3);
      const weights = randomBytes(rng, 70_001);
      let zip: Uint8Array;
      try {
        writeDirectoryAtomic('/runs/a/optimizer', {
          'optimizer.json': '{"format":"x"}',
          'weights.bin': weights,
        });
        memory.mkdirSync('/runs/a/optimizer/nested');
        writeFileAtomic('/runs/a/optimizer/nested/notes.txt', 'ünïcode');
        zip = zipDirectory('/runs/a/optimizer');
        expect(zipDirectory('/runs/a/optimizer')).toEqual(zip);
      } finally {
        restore();
      }
      const dir = mkdtempSync(join(tmpdir(), 'zip-'));
      try {
        const path = join(dir, 'a.zip');
        writeFileAtomic(path, zip);
        const script = `import zipfile, hashlib, json, sys
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist()}))`;
        const read = spawnSync('python3', ['-c', script, path], { encoding: 'utf8' });
        expect(read.stderr).toBe('');
        expect(JSON.parse(read.stdout)).toEqual({
          'optimizer/nested/notes.txt': sha256Hex('ünïcode'),
          'optimizer/optimizer.json': sha256Hex('{"format":"x"}'),
          'optimizer/weights.bin': sha256Hex(weights),
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
