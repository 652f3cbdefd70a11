import { platform } from '#platform';
import type { FileStat, FileSystem } from '../platform/platform.js';

export type { FileStat, FileSystem } from '../platform/platform.js';

let current: FileSystem = platform.files;

/**
 * The file system every read and durable write in metagrad goes through: the platform's (Node's
 * on Node, memory in a browser). Tests swap in a {@link FaultyFileSystem} with {@link useFileSystem}
 * to fail a chosen write the way a full or failing disk does.
 */
export function fileSystem(): FileSystem {
  return current;
}

/** Routes file operations through `replacement` until the returned function is called. */
export function useFileSystem(replacement: FileSystem): () => void {
  const previous = current;
  current = replacement;
  return () => {
    current = previous;
  };
}

/** A whole file as UTF-8 text. */
export function readTextFile(path: string): string {
  return new TextDecoder().decode(fileSystem().readFileSync(path));
}

/** How {@link FaultyFileSystem} fails its chosen write. */
export type WriteFault = 'short' | 'ENOSPC' | 'EIO';

/**
 * A fault injector for tests: counts writes (1-based) and makes write number `failAt` fail. `short`
 * writes half the bytes and reports so, as a filling disk does, and every later write then fails
 * with ENOSPC (the disk stays full); `ENOSPC` and `EIO` throw those errors from that write on.
 * With `failAt` 0 it only counts, to find how many write sites a run has. Every other operation
 * goes to `inner`.
 */
export class FaultyFileSystem implements FileSystem {
  writes = 0;
  private failing = false;

  constructor(
    readonly failAt: number,
    readonly fault: WriteFault,
    private readonly inner: FileSystem = platform.files,
  ) {}

  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number {
    this.writes++;
    if (this.failing) throw errno(this.fault === 'EIO' ? 'EIO' : 'ENOSPC');
    if (this.failAt > 0 && this.writes === this.failAt) {
      this.failing = true;
      if (this.fault !== 'short') throw errno(this.fault);
      const half = Math.floor(length / 2);
      return half > 0 ? this.inner.writeSync(fd, buffer, offset, half) : 0;
    }
    return this.inner.writeSync(fd, buffer, offset, length);
  }

  existsSync(path: string): boolean {
    return this.inner.existsSync(path);
  }
  statSync(path: string): FileStat {
    return this.inner.statSync(path);
  }
  mkdirSync(path: string, options?: { recursive?: boolean }): void {
    this.inner.mkdirSync(path, options);
  }
  readdirSync(path: string): string[] {
    return this.inner.readdirSync(path);
  }
  readFileSync(path: string): Uint8Array {
    return this.inner.readFileSync(path);
  }
  rmSync(path: string, options?: { recursive?: boolean; force?: boolean }): void {
    this.inner.rmSync(path, options);
  }
  renameSync(from: string, to: string): void {
    this.inner.renameSync(from, to);
  }
  linkSync(from: string, to: string): void {
    this.inner.linkSync(from, to);
  }
  openSync(path: string, flags: string): number {
    return this.inner.openSync(path, flags);
  }
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    return this.inner.readSync(fd, buffer, offset, length, position);
  }
  fsyncSync(fd: number): void {
    this.inner.fsyncSync(fd);
  }
  ftruncateSync(fd: number, length: number): void {
    this.inner.ftruncateSync(fd, length);
  }
  closeSync(fd: number): void {
    this.inner.closeSync(fd);
  }
}

function errno(code: 'ENOSPC' | 'EIO'): Error & { code: string } {
  const text = code === 'ENOSPC' ? 'no space left on device' : 'i/o error';
  return Object.assign(new Error(`${code}: ${text}, write`), { code });
}
