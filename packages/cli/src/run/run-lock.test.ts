import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonl } from '@metagrad/core';
import { afterEach, describe, expect, it } from 'vitest';
import { MAIN, metagrad, NODE, TS_LOADER } from '../testing/run-metagrad.js';

const TRAIN = 'rl2 train --episodes 2 --hidden 8 --batch 16 --eval-every 1 --workers 1 --no-tui'.split(' ');
const sleepers: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const sleeper of sleepers.splice(0)) sleeper.kill('SIGKILL');
});

/** A finished two-iteration run whose lock file a test then writes by hand. */
function finishedRun(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'run-lock-')), 'run');
  const run = metagrad(...TRAIN, '--iterations', '2', '--run-dir', dir);
  expect(run.code, run.stderr).toBe(0);
  return dir;
}

const resume = (dir: string) => [...TRAIN, '--iterations', '4', '--allow-changes', '--resume', dir];

describe('the run lock, through the CLI', () => {
  it('a lock naming a pid now used by another process is stale: the run resumes', () => {
    const dir = finishedRun();
    const sleeper = spawn('sleep', ['60']);
    sleepers.push(sleeper);
    for (const owner of ['1', String(sleeper.pid)]) {
      writeFileSync(join(dir, '.lock'), `${owner}\n`);
      const run = metagrad(...resume(dir));
      expect(run.code, `lock naming ${owner}: ${run.stderr}`).toBe(0);
    }
  });

  it('two resumes at once over a stale lock: one runs, the other is refused, and the log stays whole', async () => {
    const dir = finishedRun();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout;
    writeFileSync(join(dir, '.lock'), `${dead}\n`);
    const start = () =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(NODE, [...TS_LOADER, MAIN, ...resume(dir)], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    const results = await Promise.all([start(), start()]);
    const codes = results.map((r) => r.code).sort();
    // Whichever came second either found the first one's live lock (2) or, if the first had already
    // finished, a completed run with nothing left to do (0); never two writers at once.
    expect(codes.includes(0), results.map((r) => r.stderr).join('\n')).toBe(true);
    for (const r of results) if (r.code === 2) expect(r.stderr).toMatch(/is in use by process \d+/);
    const events = readJsonl<{ type: string; step?: number }>(join(dir, 'metrics.jsonl')).records;
    // A resume cuts the log back to its checkpoint: one end event, the last, and every step once.
    expect(events.filter((e) => e.type === 'end')).toHaveLength(1);
    expect(events.at(-1)?.type).toBe('end');
    const steps = events.filter((e) => e.type === 'progress').map((e) => e.step);
    expect(steps).toEqual([1, 2, 3, 4]);
  });
});
