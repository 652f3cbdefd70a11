import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeRun } from '../testing/fake-run.js';
import { metagrad } from '../testing/run-metagrad.js';

/** A run with saved weights and a summary, and a folder holding a symbolic link to it. */
function runBehindLink() {
  const root = mkdtempSync(join(tmpdir(), 'out-link-'));
  const run = fakeRun(root);
  mkdirSync(join(run, 'best'));
  writeFileSync(join(run, 'best', 'weights.bin'), 'trained weights');
  writeFileSync(join(run, 'summary.json'), '{"status":"completed"}');
  const elsewhere = join(root, 'x');
  mkdirSync(elsewhere);
  symlinkSync(run, join(elsewhere, 'link'));
  return { root, run, link: join(elsewhere, 'link') };
}

describe('--out never writes over a run, however the path reaches it', () => {
  it('refuses run files reached through a symbolic link, and leaves them as they were', () => {
    const { run, link } = runBehindLink();
    const plot = metagrad('runs', 'plot', run, '--out', join(link, 'best', 'weights.bin'), '--force');
    expect(plot.code).toBe(2);
    expect(plot.stderr).toMatch(
      /^metagrad: invalid out: ".*link\/best\/weights\.bin" \(is part of the run in /,
    );
    const csv = metagrad('runs', 'export', run, '--out', join(link, 'summary.json'), '--force');
    expect(csv.code).toBe(2);
    expect(readFileSync(join(run, 'best', 'weights.bin'), 'utf8')).toBe('trained weights');
    expect(readFileSync(join(run, 'summary.json'), 'utf8')).toBe('{"status":"completed"}');
  });

  it("refuses another run's own files too, even when the command reads a different run", () => {
    const { root, link } = runBehindLink();
    const other = fakeRun(join(root, 'other'));
    const export_ = metagrad('runs', 'export', other, '--out', join(link, 'config.json'), '--force');
    expect(export_.code).toBe(2);
    expect(export_.stderr).toContain('is part of the run in');
  });

  it('writes beside run files, through a link, where nothing of the run is replaced', () => {
    const { run, link } = runBehindLink();
    const csv = metagrad('runs', 'export', run, '--out', join(link, 'scalars.csv'));
    expect(csv.code, csv.stderr).toBe(0);
    expect(readFileSync(join(run, 'scalars.csv'), 'utf8')).toMatch(/^tag,step,value,wall_time\n/);
  });
});
