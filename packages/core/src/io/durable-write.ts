import { platform } from '#platform';
import { fileSystem } from './file-system.js';

const { basename, dirname, joinPath: join } = platform;

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
  const e = error as { message?: string; code?: string };
  return new DiskWriteError(path, e.message ?? String(error), e.code);
}

/** Names of the temp files and directories the writers here use: `.<name>.<pid>.<ms>.tmp|old`. */
const LEFTOVER = /^\..+\.\d+\.\d+\.(tmp|old)$/;

/**
 * Removes temp files and directories that a killed writer left in `dir`. Call it only while no
 * other process writes there (e.g. holding the directory's lock). Returns the names removed.
 */
export function removeLeftoverTempFiles(dir: string): string[] {
  const fs = fileSystem();
  if (!fs.existsSync(dir)) return [];
  const leftovers = fs.readdirSync(dir).filter((name) => LEFTOVER.test(name));
  for (const name of leftovers) fs.rmSync(join(dir, name), { recursive: true, force: true });
  return leftovers;
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
 * Writes a directory of files as one unit: the files go durably into a temp directory beside
 * `dir`, which then replaces `dir` (the old one is moved aside first and removed after). A failure
 * leaves the old directory as it was; readers never see a directory with some files new and some
 * old, or some missing.
 *
 * @example
 * ```ts
 * writeDirectoryAtomic('runs/a/best', { 'optimizer.json': manifest, 'weights.bin': bytes });
 * ```
 */
export function writeDirectoryAtomic(dir: string, files: Record<string, string | Uint8Array>): void {
  const fs = fileSystem();
  const parent = dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const stamp = `${platform.pid}.${Date.now()}`;
  const temp = join(parent, `.${basename(dir)}.${stamp}.tmp`);
  const old = join(parent, `.${basename(dir)}.${stamp}.old`);
  try {
    fs.mkdirSync(temp);
    for (const [name, data] of Object.entries(files)) writeFileAtomic(join(temp, name), data);
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw asDiskWriteError(error, dir);
  }
  const hadOld = fs.existsSync(dir);
  try {
    if (hadOld) fs.renameSync(dir, old);
    fs.renameSync(temp, dir);
  } catch (error) {
    if (hadOld && !fs.existsSync(dir) && fs.existsSync(old)) fs.renameSync(old, dir);
    fs.rmSync(temp, { recursive: true, force: true });
    throw asDiskWriteError(error, dir);
  }
  fs.rmSync(old, { recursive: true, force: true });
  syncDirectory(parent);
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
  const temp = join(dirname(path), `.${basename(path)}.${platform.pid}.${Date.now()}.tmp`);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
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
    fs.rmSync(temp, { force: true });
    throw asDiskWriteError(error, path);
  }
  syncDirectory(dirname(path));
}
