import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ProcessIdentity } from './platform.js';

/** This process's identity. */
export function currentProcess(): ProcessIdentity {
  return describeProcess(process.pid) ?? { pid: process.pid, host: hostname() };
}

/** The identity of a live process on this host, or undefined if there is none with that pid. */
function describeProcess(pid: number): ProcessIdentity | undefined {
  if (!pidExists(pid)) return undefined;
  const bootId = readBootId();
  const startTicks = readStartTicks(pid);
  return {
    pid,
    host: hostname(),
    ...(bootId !== undefined && { bootId }),
    ...(startTicks !== undefined && { startTicks }),
  };
}

/**
 * Whether the process `owner` names can still be running. A process on another host cannot be
 * checked from here, so it counts as alive (a lock on shared storage is never broken from afar).
 * On this host it is dead when no process has its pid, when the machine has rebooted since, or
 * when the pid now belongs to a process that started at another time (the pid was reused).
 */
export function isRunning(owner: ProcessIdentity): boolean {
  if (owner.host !== hostname()) return true;
  const now = describeProcess(owner.pid);
  if (!now) return false;
  if (owner.bootId !== undefined && now.bootId !== undefined && owner.bootId !== now.bootId) return false;
  if (owner.startTicks !== undefined && now.startTicks !== undefined)
    return owner.startTicks === now.startTicks;
  return true;
}

/**
 * For a lock that records only a pid (written by metagrad before identities were recorded): the
 * process with that pid can own it only if it started before the lock was written and is a Node
 * process. Without `/proc` the pid alone decides.
 */
export function couldOwnPidOnlyLock(pid: number, lockPath: string): boolean {
  if (!pidExists(pid)) return false;
  const started = startTimeMs(pid);
  if (started === undefined) return true;
  let written: number;
  try {
    written = statSync(lockPath).mtimeMs;
  } catch {
    return false;
  }
  // One clock tick of slack: start times are counted in ticks of 10 ms.
  if (started > written + 10) return false;
  try {
    return /node/i.test(readFileSync(`/proc/${pid}/comm`, 'utf8'));
  } catch {
    return true;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readBootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat, after the parenthesised command name (which may hold spaces). */
function readStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isSafeInteger(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Linux counts start times in USER_HZ ticks, 100 per second on every architecture it supports. */
const TICKS_PER_SECOND = 100;

/** When the process started, in ms since the epoch (undefined without /proc). */
function startTimeMs(pid: number): number | undefined {
  const ticks = readStartTicks(pid);
  if (ticks === undefined) return undefined;
  try {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (!btime) return undefined;
    return Number(btime[1]) * 1000 + (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
