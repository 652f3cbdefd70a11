import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { metagrad } from '../testing/run-metagrad.js';

describe('standard error of a training run', () => {
  it("carries metagrad's lines only: no tfjs banner from the settings check that runs on cpu first", () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'banner-')), 'run');
    const args = 'l2l train --epochs 1 --instances 8 --eval-instances 8 --workers 1 --no-compare --json';
    const { code, stderr } = metagrad(...args.split(' '), '--run-dir', dir);
    expect(code).toBe(0);
    expect(stderr).not.toContain('TensorFlow.js');
    expect(stderr).not.toContain('=====');
  });
});
