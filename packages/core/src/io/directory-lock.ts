import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Another live process holds the lock on a directory. */
export class DirectoryLockedError extends Error {
  readonly dir: string;
  readonly pid: number;

  constructor(dir: string, pid: number) {
    super(`${dir} is in use by process ${pid}; wait for it to finish or stop it first`);
    this.name = 'DirectoryLockedError';
    this.dir = dir;
    this.pid = pid;
  }
}

const LOCK_FILE = '.lock';

/**
 * An exclusive lock on a run directory: a `.lock` file created with O_EXCL that holds the owner's
 * pid. A lock left by a process that no longer exists (killed with `kill -9`) is stale and is taken
 * over; a live owner makes {@link DirectoryLock.acquire} throw {@link DirectoryLockedError}.
 *
 * @example
 * ```ts
 * const lock = DirectoryLock.acquire('runs/a');
 * try { ... } finally { lock.release(); }
 * ```
 */
export class DirectoryLock {
  private released = false;

  private constructor(readonly path: string) {}

  static acquire(dir: string): DirectoryLock {
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        return new DirectoryLock(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const owner = lockOwner(path);
      if (owner !== undefined && owner !== process.pid && isAlive(owner))
        throw new DirectoryLockedError(dir, owner);
      // Stale (dead owner, unreadable, or our own from an earlier run in this process): take it over.
      rmSync(path, { force: true });
    }
    throw new Error(`${dir}: could not take the lock ${path}`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (lockOwner(this.path) === process.pid) rmSync(this.path, { force: true });
  }
}

function lockOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
