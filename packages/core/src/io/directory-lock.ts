import { platform } from '#platform';
import type { ProcessIdentity } from '../platform/platform.js';

/**
 * Locks use the platform's file system itself, never one a test swapped in to fail writes: a disk
 * fault is for the run's own files to meet, and a lock that cannot be written fails as the file
 * system says.
 */
const files = platform.files;

/** Another live process holds the lock on a directory. */
export class DirectoryLockedError extends Error {
  readonly dir: string;
  readonly pid: number;

  constructor(dir: string, owner: ProcessIdentity) {
    const where = owner.host === platform.hostName() ? '' : ` on host ${owner.host}`;
    super(`${dir} is in use by process ${owner.pid}${where}; wait for it to finish or stop it first`);
    this.name = 'DirectoryLockedError';
    this.dir = dir;
    this.pid = owner.pid;
  }
}

const LOCK_FILE = '.lock';
/** Bounds the chain of takeovers of dead takeovers. */
const MAX_DEPTH = 8;
/**
 * How long to keep trying while another process is mid-takeover (it holds the token and will
 * rename its lock into place within microseconds, unless it is descheduled on a busy machine).
 */
const CONTENDED_MS = 5000;
const RETRY_MS = 5;

/**
 * An exclusive lock on a run directory: a `.lock` file created with O_EXCL that holds its owner's
 * {@link ProcessIdentity} as JSON. A lock whose owner is gone (killed with `kill -9`, a reboot, a
 * pid since reused by another process) is stale and is taken over; a live owner makes
 * {@link DirectoryLock.acquire} throw {@link DirectoryLockedError}.
 *
 * Taking over is atomic: deleting a stale lock and creating a new one would let a second process
 * delete the first one's fresh lock in between. Instead the one process that creates the takeover
 * token for that stale content (O_EXCL again) checks the lock still holds it and renames its own
 * lock over it; every other contender finds the token taken, or the lock changed, and looks again.
 *
 * @example
 * ```ts
 * const lock = DirectoryLock.acquire('runs/a');
 * try { ... } finally { lock.release(); }
 * ```
 */
export class DirectoryLock {
  private released = false;

  private constructor(
    readonly path: string,
    private readonly text: string,
  ) {}

  static acquire(dir: string): DirectoryLock {
    const path = platform.joinPath(dir, LOCK_FILE);
    const text = `${JSON.stringify(platform.currentProcess())}\n`;
    const deadline = Date.now() + CONTENDED_MS;
    for (let attempt = 0; attempt === 0 || Date.now() < deadline; attempt++) {
      if (attempt > 0) sleep(RETRY_MS);
      if (createExclusive(path, text)) return new DirectoryLock(path, text);
      const held = readText(path);
      // Released between our create and our read: try again.
      if (held === undefined) continue;
      const owner = liveOwner(path, held);
      if (owner && owner.pid !== platform.pid) throw new DirectoryLockedError(dir, owner);
      // Stale (a dead owner, unreadable, or our own from an earlier run in this process).
      if (replaceStale(path, held, text, 0)) return new DirectoryLock(path, text);
    }
    throw new Error(`${dir}: could not take the lock ${path} (other processes kept contending for it)`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    if (readText(this.path) === this.text) files.rmSync(this.path, { force: true });
  }
}

/**
 * Whether a live process still holds the lock in `dir`: its identity, or undefined when the lock
 * is missing or stale. For readers (a watcher deciding whether a run is still being written).
 */
export function lockHolder(dir: string): ProcessIdentity | undefined {
  const path = platform.joinPath(dir, LOCK_FILE);
  const held = readText(path);
  return held === undefined ? undefined : liveOwner(path, held);
}

/** The owner a lock file's text names, if that process is still running. */
function liveOwner(path: string, text: string): ProcessIdentity | undefined {
  const owner = parseOwner(text);
  if (!owner) return undefined;
  if (owner.pidOnly)
    return platform.couldOwnPidOnlyLock(owner.identity.pid, path) ? owner.identity : undefined;
  return platform.isRunning(owner.identity) ? owner.identity : undefined;
}

function parseOwner(text: string): { identity: ProcessIdentity; pidOnly: boolean } | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const pid = Number(trimmed);
    return pid > 0 ? { identity: { pid, host: platform.hostName() }, pidOnly: true } : undefined;
  }
  try {
    const value = JSON.parse(trimmed) as Partial<ProcessIdentity>;
    if (!Number.isSafeInteger(value.pid) || (value.pid as number) <= 0 || typeof value.host !== 'string')
      return undefined;
    return { identity: value as ProcessIdentity, pidOnly: false };
  } catch {
    return undefined;
  }
}

/**
 * Replaces the stale lock at `path`, which held `staleText`, by one holding `text`: only the
 * holder of the takeover token for `staleText` may, and only while `path` still holds it. A token
 * whose holder died mid-takeover is itself stale and is taken over the same way, one level down.
 */
function replaceStale(path: string, staleText: string, text: string, depth: number): boolean {
  const token = `${path}.takeover-${platform.sha256(staleText).slice(0, 16)}`;
  if (!createExclusive(token, text)) {
    const holder = readText(token);
    // No token: its holder finished, so the lock no longer holds the stale text.
    if (holder === undefined || liveOwner(token, holder) || depth >= MAX_DEPTH) return false;
    if (!replaceStale(token, holder, text, depth + 1)) return false;
  }
  try {
    if (readText(path) !== staleText) return false;
    const temp = writeTemp(path, text);
    files.renameSync(temp, path);
    return true;
  } finally {
    files.rmSync(token, { force: true });
  }
}

/**
 * Creates `path` holding `text` unless it exists; false if it did. The text is written to a temp
 * file first and hard-linked into place, so no reader ever sees the file empty or half-written.
 */
function createExclusive(path: string, text: string): boolean {
  const temp = writeTemp(path, text);
  try {
    files.linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    files.rmSync(temp, { force: true });
  }
}

/** Writes `text` to a new temp file beside `path` (named as the durable writers name theirs). */
function writeTemp(path: string, text: string): string {
  const unique = `${platform.pid}.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const temp = platform.joinPath(platform.dirname(path), `.${platform.basename(path)}.${unique}.tmp`);
  const fd = files.openSync(temp, 'wx');
  try {
    const bytes = new TextEncoder().encode(text);
    files.writeSync(fd, bytes, 0, bytes.length);
  } finally {
    files.closeSync(fd);
  }
  return temp;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readText(path: string): string | undefined {
  try {
    return new TextDecoder().decode(files.readFileSync(path));
  } catch {
    return undefined;
  }
}
