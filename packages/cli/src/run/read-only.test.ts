import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAIN, metagrad, NODE, TS_LOADER } from '../testing/run-metagrad.js';

/**
 * Runs `commands` (each a metagrad argument list) in a private mount namespace where `dir` is
 * mounted read-only, as a run on a read-only share would be; returns each one's exit code and
 * standard error. Undefined where this machine cannot make such a namespace (no unshare, or user
 * namespaces turned off).
 */
function inReadOnly(dir: string, commands: string[][]): { code: number; stderr: string }[] | undefined {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = commands.map(
    (args) =>
      `${[NODE, ...TS_LOADER, MAIN, ...args].map(quote).join(' ')} 2>"$T/err"; echo "$?"; cat "$T/err"; echo ===`,
  );
  const script = [
    'set -u',
    `mount --bind ${quote(dir)} ${quote(dir)} && mount -o remount,ro,bind ${quote(dir)} || exit 99`,
    'T=$(mktemp -d)',
    ...lines,
  ].join('\n');
  const result = spawnSync('unshare', ['-rm', 'sh', '-c', script], { encoding: 'utf8', timeout: 120_000 });
  if (result.error || result.status === 99) return undefined;
  return result.stdout
    .split('===\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const [code, ...stderr] = block.split('\n');
      return { code: Number(code), stderr: stderr.join('\n') };
    });
}

const probe = spawnSync('unshare', ['-rm', 'true']);
const canUnshare = !probe.error && probe.status === 0;

describe.skipIf(!canUnshare)('a run directory on a read-only file system (a private read-only mount)', () => {
  it('resume, export and plot each say "read-only" with exit 2, and nothing changes', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'read-only-')), 'run');
    const train = 'rl2 train --episodes 2 --hidden 8 --batch 16 --iterations 2 --workers 1 --no-tui';
    expect(metagrad(...train.split(' '), '--run-dir', dir).code).toBe(0);
    const results = inReadOnly(dir, [
      [...train.split(' '), '--iterations', '4', '--allow-changes', '--resume', dir],
      ['runs', 'export', dir, '--format', 'tensorboard'],
      ['runs', 'plot', dir, '--out', join(dir, 'figure.svg')],
    ]);
    expect(results).toHaveLength(3);
    for (const { code, stderr } of results!) {
      expect(code, stderr).toBe(2);
      expect(stderr).toMatch(
        /^metagrad: invalid (resume|run-dir|out): .* is on a read-only file system\)\n$/,
      );
    }
    expect(metagrad('runs', 'show', dir, '--json').stdout).toContain('"status":"completed"');
  });
});
