import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileSystem } from './file-system.js';

/**
 * A write to disk did not complete (disk full, I/O error, short write). The message names the file
 * and the cause; the CLI stops the run with exit code 1, and whatever was written before stays valid.
 */
export class DiskWriteError extends Error {
  readonly path: string;
  readonly code: string | undefined;

  constructor(path: string, cause: string, code?: string) {
    super(`could not write ${path}: ${cause}`);
    this.name = 'DiskWriteError';
    this.path = path;
    this.code = code;
  }
}

/**
 * Writes every byte of `bytes` to `fd`, looping over partial writes; a write that makes no progress
 * (a full disk) or throws becomes a {@link DiskWriteError} naming `path`.
 */
export function writeFully(fd: number, bytes: Uint8Array, path: string): void {
  const fs = fileSystem();
  let done = 0;
  while (done < bytes.length) {
    let written: number;
    try {
      written = fs.writeSync(fd, bytes, done, bytes.length - done);
    } catch (error) {
      throw asDiskWriteError(error, path);
    }
    if (written <= 0) throw new DiskWriteError(path, 'no progress writing (disk full?)', 'ENOSPC');
    done += written;
  }
}

/** Wraps a file-system error as a {@link DiskWriteError} (kept as is when it already is one). */
export function asDiskWriteError(error: unknown, path: string): DiskWriteError {
  if (error instanceof DiskWriteError) return error;
  const e = error as NodeJS.ErrnoException;
  return new DiskWriteError(path, e.message ?? String(error), e.code);
}

/** fsyncs a directory so that a rename or a new file in it survives a crash (best effort). */
export function syncDirectory(dir: string): void {
  const fs = fileSystem();
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* not every platform allows fsync on a directory */
  }
}

/**
 * Writes `data` to `path` atomically and durably: a temp file in the same directory receives every
 * byte (checked), is fsynced and renamed over `path`, and the directory is fsynced. A reader, a run
 * killed mid-write or a full disk leaves the old file or the new one, never a torn one; on failure
 * the temp file is removed and a {@link DiskWriteError} is thrown.
 *
 * @example
 * ```ts
 * writeFileAtomic('runs/a/summary.json', JSON.stringify(summary));
 * ```
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const fs = fileSystem();
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx');
    writeFully(fd, bytes, path);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    rmSync(temp, { force: true });
    throw asDiskWriteError(error, path);
  }
  syncDirectory(dirname(path));
}
