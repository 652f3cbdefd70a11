import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { currentProcess } from '../platform/node-process-identity.js';
import { DirectoryLock, DirectoryLockedError, lockHolder } from './directory-lock.js';

const CONTENDER = fileURLToPath(new URL('../testing/lock-contender.ts', import.meta.url));
const dir = () => mkdtempSync(join(tmpdir(), 'metagrad-lock-'));
const deadPid = () =>
  Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout);
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts lock contenders that try `dirs` in rounds from `start`; resolves with each one's outcomes. */
function contend(
  dirs: string[],
  start: number,
  interval: number,
): { child: ChildProcess; outcomes: Promise<string[]> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CONTENDER, String(start), String(interval), ...dirs],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  const outcomes = new Promise<string[]>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(JSON.parse(out) as string[]);
    });
    child.on('exit', (code) => reject(new Error(`contender exited ${code} before reporting`)));
  });
  return { child, outcomes };
}

const lockText = (d: string) => readFileSync(join(d, '.lock'), 'utf8');

describe('DirectoryLock', () => {
  it('takes over the lock of a dead process, records who holds it, and leaves nothing on release', () => {
    const d = dir();
    writeFileSync(join(d, '.lock'), `${deadPid()}\n`);
    const lock = DirectoryLock.acquire(d);
    expect(JSON.parse(lockText(d))).toEqual(currentProcess());
    expect(lockHolder(d)?.pid).toBe(process.pid);
    lock.release();
    expect(readdirSync(d)).toEqual([]);
    expect(lockHolder(d)).toBeUndefined();
  });

  it('treats a pid that now belongs to another process as stale', () => {
    const d = dir();
    const sleeper = spawn('sleep', ['30']);
    children.push(sleeper);
    // A pid-only lock (as older versions wrote) naming a live process that is not Node.
    writeFileSync(join(d, '.lock'), `${sleeper.pid}\n`);
    DirectoryLock.acquire(d).release();
    // The same live pid with another start time, and pid 1 from another boot.
    const me = currentProcess();
    writeFileSync(join(d, '.lock'), JSON.stringify({ ...me, pid: sleeper.pid, startTicks: 1 }));
    DirectoryLock.acquire(d).release();
    if (me.bootId !== undefined) {
      writeFileSync(join(d, '.lock'), JSON.stringify({ ...me, pid: 1, bootId: 'another-boot' }));
      DirectoryLock.acquire(d).release();
    }
    expect(existsSync(join(d, '.lock'))).toBe(false);
  });

  it('never breaks a lock held on another host, and names the host', () => {
    const d = dir();
    writeFileSync(join(d, '.lock'), JSON.stringify({ pid: deadPid(), host: 'elsewhere.example' }));
    expect(() => DirectoryLock.acquire(d)).toThrow(/in use by process \d+ on host elsewhere\.example/);
  });

  it('refuses while another live process holds the lock', async () => {
    const d = dir();
    const { child, outcomes } = contend([d], Date.now(), 0);
    expect(await outcomes).toEqual(['acquired']);
    expect(() => DirectoryLock.acquire(d)).toThrow(DirectoryLockedError);
    child.stdin!.end();
    await new Promise((resolve) => child.on('exit', resolve));
    DirectoryLock.acquire(d).release();
  });

  it('gives a stale lock to exactly one of two processes taking it over at the same moment (30 rounds)', async () => {
    const root = dir();
    const dirs = Array.from({ length: 30 }, (_, i) => {
      const d = join(root, `run-${i}`);
      mkdirSync(d);
      const dead = deadPid();
      writeFileSync(
        join(d, '.lock'),
        i % 2 ? `${dead}\n` : JSON.stringify({ ...currentProcess(), pid: dead }),
      );
      return d;
    });
    // Both start (tsx included) well before the first round.
    const start = Date.now() + 4000;
    const a = contend(dirs, start, 25);
    const b = contend(dirs, start, 25);
    const [first, second] = await Promise.all([a.outcomes, b.outcomes]);
    for (let round = 0; round < dirs.length; round++) {
      expect([first[round], second[round]].sort(), `round ${round}`).toEqual(['acquired', 'locked']);
    }
  });
});
