import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN, NODE, TS_LOADER } from '../testing/run-metagrad.js';

/** Starts a long rl2 run, sends `signal` once it has logged a few iterations, and returns its exit code. */
async function stopWith(signal: NodeJS.Signals, dir: string): Promise<number | null> {
  const args = (
    'rl2 train --episodes 2 --hidden 8 --batch 16 --iterations 100000 --eval-every 1000 ' +
    '--checkpoint-every 1000 --workers 1 --json --run-dir'
  ).split(' ');
  const child = spawn(NODE, [...TS_LOADER, MAIN, ...args, dir], { stdio: ['ignore', 'pipe', 'ignore'] });
  let seen = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    seen += chunk.toString().match(/"type":"progress"/g)?.length ?? 0;
    if (seen >= 3 && seen < 1000) {
      seen = 1000;
      child.kill(signal);
    }
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('a run stopped by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s: checkpoint, summary "stopped", exit %i so a scheduler can requeue it',
    async (signal, code) => {
      const dir = join(mkdtempSync(join(tmpdir(), 'signal-')), 'run');
      expect(await stopWith(signal, dir)).toBe(code);
      expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).status).toBe('stopped');
      expect(existsSync(join(dir, 'checkpoints'))).toBe(true);
      expect(existsSync(join(dir, '.lock'))).toBe(false);
    },
  );
});
