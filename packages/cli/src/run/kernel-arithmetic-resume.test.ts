import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KERNEL_ARITHMETIC_VARIABLE, kernelArithmetic } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { metagradWithEnvironment } from '../testing/run-metagrad.js';

const TRAIN = 'rl2 train --episodes 2 --hidden 8 --batch 16 --eval-every 1 --workers 1 --no-tui'.split(' ');
const MULTIPLY_THEN_ADD = { [KERNEL_ARITHMETIC_VARIABLE]: 'multiply-then-add' };
const UNSET = { [KERNEL_ARITHMETIC_VARIABLE]: undefined };

// Only a machine whose kernels fuse by default has two arithmetics to move a run between.
describe.skipIf(kernelArithmetic() !== 'fused-multiply-add')('kernel arithmetic across a resume', () => {
  it('config.json records it; a resume on the other one says the run will not continue bit for bit', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'arithmetic-')), 'run');
    const started = metagradWithEnvironment(
      MULTIPLY_THEN_ADD,
      ...TRAIN,
      '--iterations',
      '1',
      '--run-dir',
      dir,
    );
    expect(started.code, started.stderr).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(config.run.kernelArithmetic).toBe('multiply-then-add');

    const resume = (iterations: string) => [
      ...TRAIN,
      '--iterations',
      iterations,
      '--allow-changes',
      '--resume',
      dir,
    ];
    const same = metagradWithEnvironment(MULTIPLY_THEN_ADD, ...resume('2'));
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).not.toContain('kernels:');
    const other = metagradWithEnvironment(UNSET, ...resume('3'));
    expect(other.code, other.stderr).toBe(0);
    const warning =
      'kernels: the run was made with multiply-then-add WebAssembly kernels and resumes on fused-multiply-add ones: it continues, but not bit for bit (METAGRAD_KERNEL_ARITHMETIC=multiply-then-add resumes it exactly where this CPU can)';
    expect(other.stderr).toContain(warning);

    // A run from before the two builds records no arithmetic: it multiplied, then added.
    const path = join(dir, 'config.json');
    const older = JSON.parse(readFileSync(path, 'utf8'));
    delete older.run.kernelArithmetic;
    writeFileSync(path, JSON.stringify(older, null, 2));
    const fromOlder = metagradWithEnvironment(UNSET, ...resume('4'));
    expect(fromOlder.code, fromOlder.stderr).toBe(0);
    expect(fromOlder.stderr).toContain(warning);
  });
});
