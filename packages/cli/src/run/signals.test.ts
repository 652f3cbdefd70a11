import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonl } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { MAIN, NODE, TS_LOADER } from '../testing/run-metagrad.js';

const LONG_RL2 =
  'rl2 train --episodes 2 --hidden 8 --batch 16 --iterations 100000 --eval-every 1000 --checkpoint-every 1000 --workers 1';

/**
 * Starts a long run, and once it has printed `lines` lines on stdout either sends it `signal` or, as
 * `… | head -N` does, closes the pipe it writes to. Resolves with its exit code.
 */
async function stopWith(
  stop: NodeJS.Signals | 'close-pipe',
  dir: string,
  args = `${LONG_RL2} --json`,
  lines = 3,
) {
  const child = spawn(NODE, [...TS_LOADER, MAIN, ...args.split(' '), '--run-dir', dir], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let seen = 0;
  let stopped = false;
  child.stdout.on('data', (chunk: Buffer) => {
    seen += chunk.toString().split('\n').length - 1;
    if (seen < lines || stopped) return;
    stopped = true;
    if (stop === 'close-pipe') child.stdout.destroy();
    else child.kill(stop);
  });
  return new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
}

/** What a run stopped before completing must leave: a checkpoint, a `stopped` summary, an end event, no lock. */
function expectStoppedCleanly(dir: string) {
  expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).status).toBe('stopped');
  expect(existsSync(join(dir, 'checkpoints'))).toBe(true);
  expect(existsSync(join(dir, '.lock'))).toBe(false);
  const events = readJsonl<{ type: string }>(join(dir, 'metrics.jsonl')).records;
  expect(events.filter((e) => e.type === 'end')).toHaveLength(1);
}

const runDir = (name: string) => join(mkdtempSync(join(tmpdir(), `${name}-`)), 'run');

describe('a run stopped before it completes', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const)(
    '%s: checkpoint, summary "stopped", exit %i so a scheduler can requeue it',
    async (signal, code) => {
      const dir = runDir('signal');
      expect(await stopWith(signal, dir)).toBe(code);
      expectStoppedCleanly(dir);
    },
  );

  it('a closed output pipe (`--json | head -2`) stops it the same way, with exit 141', async () => {
    const dir = runDir('pipe-json');
    expect(await stopWith('close-pipe', dir, `${LONG_RL2} --json`, 2)).toBe(141);
    expectStoppedCleanly(dir);
  });

  it('and so does one closed under plain progress lines (`l2l train | head -1`)', async () => {
    const dir = runDir('pipe-plain');
    const args =
      'l2l train --epochs 100000 --instances 8 --eval-instances 8 --eval-every 1000 --workers 1 --no-tui';
    expect(await stopWith('close-pipe', dir, args, 1)).toBe(141);
    expectStoppedCleanly(dir);
  });
});
