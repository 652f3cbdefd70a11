import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metagrad } from '../testing/run-metagrad.js';

const LINE_FIT = fileURLToPath(new URL('../testing/line-fit-trainer.ts', import.meta.url));
const train = (...args: string[]) =>
  metagrad('line-fit', 'train', '--trainer-module', LINE_FIT, '--no-tui', ...args);
const line = (dir: string) => JSON.parse(readFileSync(join(dir, 'line.json'), 'utf8')) as number[];

describe('a trainer the CLI was never told about, from --trainer-module', () => {
  const root = mkdtempSync(join(tmpdir(), 'line-fit-'));

  it('trains, resumes exactly, compares across seeds and exports, through the same commands', () => {
    const seed0 = join(root, 's0');
    const first = train('--seed', '0', '--steps', '20', '--run-dir', seed0);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(seed0, 'summary.json'), 'utf8'))).toMatchObject({
      status: 'completed',
      steps: 20,
      best: { name: 'held-out squared error', higherIsBetter: false },
    });
    expect(JSON.parse(readFileSync(join(seed0, 'config.json'), 'utf8'))).toMatchObject({
      kind: 'line-fit-train',
      config: { steps: 20, learningRate: 0.1, seed: 0 },
    });
    // The fit gets near y = 3x − 1.
    expect(line(seed0)[0]).toBeGreaterThan(2);

    // Seed 1 in one go, and in two sessions: the resumed run ends on the same bits.
    const whole = join(root, 's1');
    expect(train('--seed', '1', '--steps', '20', '--run-dir', whole).code).toBe(0);
    const halves = join(root, 's1-resumed');
    expect(train('--seed', '1', '--steps', '10', '--run-dir', halves).code).toBe(0);
    const resumed = train('--resume', halves, '--steps', '20', '--allow-changes');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(line(halves)).toEqual(line(whole));

    const compare = metagrad('runs', 'compare', seed0, whole, '--json');
    expect(compare.code, compare.stderr).toBe(0);
    expect(JSON.parse(compare.stdout)).toMatchObject([{ seeds: ['0', '1'] }]);
    const csv = metagrad('runs', 'export', seed0);
    expect(csv.stdout).toContain('evaluation/held-out squared error,20,');
  });

  it('its flags come from its schema, with the same bad-input handling as every command', () => {
    const bad = train('--steps', '0', '--run-dir', join(root, 'bad'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^metagrad: invalid steps: 0 /);
    const missing = metagrad('line-fit', 'train', '--trainer-module', join(root, 'missing.mjs'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^metagrad: invalid trainer-module: .*missing\.mjs" \(no such file\)\n$/);
  });
});
