import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJsonl } from '@metagrad/core';
import { metaTrainCheckpoints } from '@metagrad/optimizers';
import { describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
// Run node itself with tsx's loader (not the tsx CLI wrapper), so signals reach the real process.
const NODE = process.execPath;
const TS_LOADER = ['--import', 'tsx'];
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

async function waitFor(check: () => boolean, seconds: number, what: string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Finished checkpoints (the store's own listing: a temp file mid-write is not one). */
const checkpointsIn = (dir: string) => metaTrainCheckpoints(join(dir, 'checkpoints')).list().length;

/** Meta-steps logged so far. */
const steps = (dir: string) =>
  readJsonl<{ type: string }>(join(dir, 'metrics.jsonl')).records.filter((e) => e.type === 'progress').length;

describe('l2l train in a terminal', () => {
  it.skipIf(!hasTmux)(
    'drives the real dashboard in a pseudo-terminal: p pauses, s checkpoints, q stops cleanly',
    async () => {
      const dir = join(mkdtempSync(join(tmpdir(), 'tui-')), 'run');
      const session = `metagrad-test-${process.pid}`;
      const exitFile = `${dir}.exit`;
      const tmux = (...args: string[]) => spawnSync('tmux', args, { encoding: 'utf8' });
      const screen = () => tmux('capture-pane', '-t', session, '-p').stdout;
      tmux(
        'new-session',
        '-d',
        '-s',
        session,
        '-c',
        process.cwd(),
        '-x',
        '100',
        '-y',
        '45',
        // A user's terminal, not CI: Ink draws only a final frame when CI variables are set.
        `env -i PATH="${process.env.PATH}" HOME="${process.env.HOME}" TERM=xterm-256color ${NODE} --import tsx ${MAIN} l2l train --epochs 500 --instances 32 --eval-every 5 --run-dir ${dir}; echo $? > ${exitFile}`,
      );
      try {
        await waitFor(() => screen().includes('running'), 60, 'the dashboard');
        await waitFor(
          () => existsSync(join(dir, 'metrics.jsonl')) && steps(dir) >= 1,
          60,
          'a first meta-step',
        );
        tmux('send-keys', '-t', session, 'p');
        await waitFor(() => screen().includes('paused'), 5, 'the paused status');
        await new Promise((r) => setTimeout(r, 1000)); // let the meta-step in flight finish
        const frozen = steps(dir);
        await new Promise((r) => setTimeout(r, 2000));
        expect(steps(dir)).toBe(frozen);
        tmux('send-keys', '-t', session, 'p');
        tmux('send-keys', '-t', session, 's');
        await waitFor(() => checkpointsIn(dir) > 0, 20, 'a checkpoint');
        tmux('send-keys', '-t', session, 'q');
        await waitFor(() => existsSync(exitFile), 60, 'a clean exit');
        expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
        expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).status).toBe('stopped');
      } finally {
        tmux('kill-session', '-t', session);
      }
    },
  );

  it('after kill -9, --resume continues from the last checkpoint and loses nothing', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kill-')), 'run');
    const args = [
      MAIN,
      'l2l',
      'train',
      '--epochs',
      '6',
      '--steps',
      '20',
      '--unroll',
      '10',
      '--instances',
      '16',
    ];
    const child = spawn(
      NODE,
      [
        ...TS_LOADER,
        ...args,
        '--eval-every',
        '3',
        '--checkpoint-every',
        '1',
        '--no-compare',
        '--run-dir',
        dir,
      ],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(() => checkpointsIn(dir) > 0, 60, 'a checkpoint');
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const before = readJsonl(join(dir, 'metrics.jsonl')).records.length;
    expect(existsSync(join(dir, 'summary.json'))).toBe(false);
    const resumed = spawnSync(NODE, [...TS_LOADER, MAIN, 'l2l', 'train', '--resume', dir], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(resumed.status).toBe(0);
    const { records } = readJsonl<{ type: string; epoch?: number; resumed?: boolean }>(
      join(dir, 'metrics.jsonl'),
    );
    expect(records.length).toBeGreaterThan(before); // appended, nothing lost
    expect(records.some((e) => e.type === 'start' && e.resumed)).toBe(true);
    const last = records.filter((e) => e.type === 'progress').at(-1) as { step?: number } | undefined;
    expect(last?.step).toBe(6 * 2); // the last of 6 epochs × 2 meta-steps
    expect(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).status).toBe('completed');
  });
});
