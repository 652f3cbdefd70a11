import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskWriteError, FaultyFileSystem, useFileSystem, type WriteFault } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { expectNothingTorn, type RunKind, runOutputs } from '../testing/run-outputs.js';
import { planL2lTrain, planRl2Train, runL2lTrain, runRl2Train } from '../testing/trainers-in-process.js';
import type { TrainIo } from './train-protocol.js';

/**
 * Fault injection: a run's Nth write fails (a short write on a filling disk, ENOSPC, EIO) at every
 * write site, the run stops with a DiskWriteError, no file it wrote is torn, and `--resume` then
 * finishes with exactly the outputs of an uninterrupted run.
 */

const quiet: TrainIo<never> = {
  sinks: [],
  print: () => {},
  beforeStep: async () => {},
  plainProgress: false,
};

const L2L = {
  task: 'quadratic',
  epochs: 3,
  steps: 4,
  unroll: 2,
  instances: 4,
  evalInstances: 4,
  evalEvery: 1,
  checkpointEvery: 1,
  keepCheckpoints: 2,
  layers: [4],
  workers: 1,
  seed: '3',
  compare: false,
};
const RL2 = {
  env: 'bandit',
  episodes: 2,
  hidden: 4,
  batch: 4,
  iterations: 3,
  evalEvery: 1,
  checkpointEvery: 1,
  workers: 1,
  seed: '3',
};

type Wing = {
  name: RunKind;
  train: (flags: { runDir?: string; resume?: string }) => Promise<unknown>;
};

const wings: Wing[] = [
  { name: 'l2l', train: async (flags) => runL2lTrain(await planL2lTrain({ ...L2L, ...flags }), quiet) },
  { name: 'rl2', train: async (flags) => runRl2Train(await planRl2Train({ ...RL2, ...flags }), quiet) },
];

async function countWrites(wing: Wing, dir: string): Promise<number> {
  const counter = new FaultyFileSystem(0, 'ENOSPC');
  const restore = useFileSystem(counter);
  try {
    await wing.train({ runDir: dir });
  } finally {
    restore();
  }
  return counter.writes;
}

describe('a run that hits a full or failing disk', () => {
  for (const wing of wings) {
    it(`${wing.name}: fails cleanly at every write site and resumes to the same outputs`, {
      timeout: 600_000,
    }, async () => {
      const root = mkdtempSync(join(tmpdir(), `faults-${wing.name}-`));
      const reference = join(root, 'reference');
      const writes = await countWrites(wing, reference);
      const expected = runOutputs(wing.name, reference);
      expect(writes).toBeGreaterThan(10);
      const faults: WriteFault[] = ['short', 'ENOSPC', 'EIO'];
      for (let site = 1; site <= writes; site++) {
        // Every site fails once; the three kinds of failure take turns.
        const fault = faults[site % 3]!;
        const dir = join(root, `${fault}-${site}`);
        const restore = useFileSystem(new FaultyFileSystem(site, fault));
        let error: unknown;
        try {
          await wing.train({ runDir: dir });
        } catch (e) {
          error = e;
        } finally {
          restore();
        }
        expect(error, `write ${site} (${fault})`).toBeInstanceOf(DiskWriteError);
        expectNothingTorn(wing.name, dir);
        // A run that failed before it started leaves no stub behind.
        if (!existsSync(join(dir, 'metrics.jsonl'))) expect(existsSync(dir), dir).toBe(false);
        if (existsSync(join(dir, 'config.json'))) await wing.train({ resume: dir });
        else await wing.train({ runDir: dir });
        expect(
          runOutputs(wing.name, dir),
          `after write ${site} (${fault}) failed and the run resumed`,
        ).toEqual(expected);
      }
    });
  }

  // A real full disk: a tiny tmpfs, where the test may mount one (root on Linux).
  const canMount = (() => {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
    const probe = mkdtempSync(join(tmpdir(), 'tmpfs-probe-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
      execFileSync('umount', [probe], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!canMount)(
    'l2l on a real full tmpfs stops cleanly, and resumes once there is room',
    { timeout: 120_000 },
    async () => {
      const wing = wings[0]!;
      const root = mkdtempSync(join(tmpdir(), 'full-disk-'));
      const reference = join(root, 'reference');
      await wing.train({ runDir: reference });
      const mountPoint = join(root, 'tmpfs');
      mkdirSync(mountPoint);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32k', 'tmpfs', mountPoint]);
      try {
        const dir = join(mountPoint, 'run');
        await expect(wing.train({ runDir: dir })).rejects.toThrow(/ENOSPC|disk full/);
        expectNothingTorn(wing.name, dir);
        execFileSync('mount', ['-o', 'remount,size=4m', mountPoint]);
        await wing.train({ resume: dir });
        expect(runOutputs(wing.name, dir)).toEqual(runOutputs(wing.name, reference));
      } finally {
        execFileSync('umount', [mountPoint]);
      }
    },
  );
});
