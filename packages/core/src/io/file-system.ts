import * as fs from 'node:fs';

/**
 * The file operations every durable write in metagrad goes through. Tests swap in a
 * {@link FaultyFileSystem} with {@link useFileSystem} to fail a chosen write the way a full or
 * failing disk does; nothing else should replace it.
 */
export interface FileSystem {
  openSync(path: string, flags: string): number;
  /** Writes from `buffer[offset, offset + length)` at the file position; returns the bytes written. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
}

const nodeFileSystem: FileSystem = {
  openSync: (path, flags) => fs.openSync(path, flags),
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (from, to) => fs.renameSync(from, to),
};

let current: FileSystem = nodeFileSystem;

/** The file system durable writes use now. */
export function fileSystem(): FileSystem {
  return current;
}

/** Routes durable writes through `replacement` until the returned function is called. */
export function useFileSystem(replacement: FileSystem): () => void {
  const previous = current;
  current = replacement;
  return () => {
    current = previous;
  };
}

/** How {@link FaultyFileSystem} fails its chosen write. */
export type WriteFault = 'short' | 'ENOSPC' | 'EIO';

/**
 * A fault injector for tests: counts writes (1-based) and makes write number `failAt` fail. `short`
 * writes half the bytes and reports so, as a filling disk does, and every later write then fails
 * with ENOSPC (the disk stays full); `ENOSPC` and `EIO` throw those errors from that write on.
 * With `failAt` 0 it only counts, to find how many write sites a run has.
 */
export class FaultyFileSystem implements FileSystem {
  writes = 0;
  private failing = false;

  constructor(
    readonly failAt: number,
    readonly fault: WriteFault,
  ) {}

  openSync(path: string, flags: string): number {
    return fs.openSync(path, flags);
  }

  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number {
    this.writes++;
    if (this.failing) throw errno(this.fault === 'EIO' ? 'EIO' : 'ENOSPC');
    if (this.failAt > 0 && this.writes === this.failAt) {
      this.failing = true;
      if (this.fault !== 'short') throw errno(this.fault);
      const half = Math.floor(length / 2);
      return half > 0 ? fs.writeSync(fd, buffer, offset, half) : 0;
    }
    return fs.writeSync(fd, buffer, offset, length);
  }

  fsyncSync(fd: number): void {
    fs.fsyncSync(fd);
  }

  ftruncateSync(fd: number, length: number): void {
    fs.ftruncateSync(fd, length);
  }

  closeSync(fd: number): void {
    fs.closeSync(fd);
  }

  renameSync(from: string, to: string): void {
    fs.renameSync(from, to);
  }
}

function errno(code: 'ENOSPC' | 'EIO'): NodeJS.ErrnoException {
  const text = code === 'ENOSPC' ? 'no space left on device' : 'i/o error';
  const error: NodeJS.ErrnoException = new Error(`${code}: ${text}, write`);
  error.code = code;
  return error;
}
