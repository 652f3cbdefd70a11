import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { hostedSchema } from '../trainers/trainer-flags.js';
import { trainerNamed } from '../trainers/trainer-registry.js';
import { canonicalJson, resolveSweepRuns } from './sweep-runs.js';
import { readSweepSpec } from './sweep-spec.js';

const schemaOf = (trainer: string) => hostedSchema(trainerNamed(trainer));

function specFile(spec: unknown, extra: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sweep-spec-'));
  for (const [name, content] of Object.entries(extra))
    writeFileSync(join(dir, name), JSON.stringify(content));
  const path = join(dir, 'spec.json');
  writeFileSync(path, typeof spec === 'string' ? spec : JSON.stringify(spec));
  return path;
}

const base = { task: 'quadratic', epochs: 5, workers: 1, compare: false };

describe('sweep specs', () => {
  it('crosses grid values, random draws and seeds, in a fixed order, each run validated', async () => {
    const path = specFile({
      name: 'cross',
      base,
      grid: { metaLearningRate: [0.01, 0.003], unroll: [10, 20] },
      random: {
        count: 3,
        seed: 7,
        axes: { clipNorm: { logUniform: [0.1, 10] }, dims: { intUniform: [5, 8] } },
      },
      seeds: [1, 2],
    });
    const runs = await resolveSweepRuns(readSweepSpec(path, schemaOf));
    expect(runs).toHaveLength(2 * 2 * 3 * 2);
    expect(runs[0]!.varying).toEqual({
      metaLearningRate: 0.01,
      unroll: 10,
      clipNorm: runs[0]!.config.clipNorm,
      dims: runs[0]!.config.dims,
      seed: 1,
    });
    for (const run of runs) {
      expect(run.config.clipNorm as number).toBeGreaterThanOrEqual(0.1);
      expect(run.config.clipNorm as number).toBeLessThanOrEqual(10);
      expect([5, 6, 7, 8]).toContain(run.config.dims);
      expect(run.config).toMatchObject({ ...base, seed: run.varying.seed });
    }
    // The random draws come from the sweep's own seed: the same spec gives the same runs and ids.
    const again = await resolveSweepRuns(readSweepSpec(path, schemaOf));
    expect(again.map((r) => r.id)).toEqual(runs.map((r) => r.id));
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
  });

  it('names a run by a hash of its resolved config: defaults written out or not, it is the same run', async () => {
    const implicit = await resolveSweepRuns(
      readSweepSpec(specFile({ name: 'a', base, seeds: [3] }), schemaOf),
    );
    const explicit = await resolveSweepRuns(
      readSweepSpec(specFile({ name: 'b', base: { ...base, unroll: 20, steps: 100 }, seeds: [3] }), schemaOf),
    );
    expect(explicit[0]!.id).toBe(implicit[0]!.id);
    expect(implicit[0]!.id).toMatch(/^l2l-[0-9a-f]{16}$/);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });

  it('reads a base from a config or recipe file beside the spec', async () => {
    const path = specFile(
      { name: 'file-base', base: 'base.json', grid: { epochs: [2, 3] }, seeds: [1] },
      {
        'base.json': base,
      },
    );
    const runs = await resolveSweepRuns(readSweepSpec(path, schemaOf));
    expect(runs.map((r) => r.config.epochs)).toEqual([2, 3]);
    expect(runs[0]!.config.task).toBe('quadratic');
  });

  const refusals: [string, unknown, RegExp][] = [
    ['not JSON', '{"name": ', /invalid spec: .* \(is not a valid JSON object/],
    ['an unknown spec key', { name: 'x', seeds: [1], grids: {} }, /invalid spec: .*Unrecognized key/],
    ['a bad name', { name: '../x', seeds: [1] }, /invalid spec\.name: "\.\.\/x"/],
    ['no seeds', { name: 'x', seeds: [] }, /invalid spec\.seeds/],
    [
      'an unknown setting',
      { name: 'x', base, grid: { metaLr: [0.1] }, seeds: [1] },
      /invalid config\.metaLr: 0\.1 \(unknown setting/,
    ],
    [
      'a value the trainer refuses',
      { name: 'x', base, grid: { epochs: [3, -1] }, seeds: [1] },
      /invalid epochs: -1 \(.*; in the run \{"epochs":-1\} of /,
    ],
    [
      'an empty range',
      { name: 'x', random: { count: 1, seed: 1, axes: { clipNorm: { uniform: [2, 1] } } }, seeds: [1] },
      /invalid spec\.random\.axes\.clipNorm/,
    ],
    ['seed as an axis', { name: 'x', grid: { seed: [1, 2] }, seeds: [1] }, /invalid spec\.grid\.seed/],
    [
      'a missing base file',
      { name: 'x', base: 'nowhere.json', seeds: [1] },
      /invalid config: .*nowhere\.json" \(cannot be read \(ENOENT\)\)/,
    ],
  ];
  for (const [what, spec, message] of refusals) {
    it(`refuses ${what} with one line naming the field`, async () => {
      const attempt = async () => resolveSweepRuns(readSweepSpec(specFile(spec), schemaOf));
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    });
  }
});
