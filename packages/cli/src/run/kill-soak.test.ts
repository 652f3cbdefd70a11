import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@metagrad/core';
import { metaTrainCheckpoints } from '@metagrad/optimizers';
import { rl2Checkpoints } from '@metagrad/rl';
import { describe, expect, it } from 'vitest';
import { MAIN, NODE, TS_LOADER } from '../testing/run-metagrad.js';
import { expectNothingTorn, type RunKind, runOutputs } from '../testing/run-outputs.js';

/**
 * Kill soak: one short run of each trainer is killed with SIGKILL at 10 seeded random moments
 * (during start-up, training, checkpoints or the final saves) and resumed each time; what it finally
 * leaves equals an uninterrupted run's outputs.
 */
const RUNS: Record<RunKind, string[]> = {
  l2l: (
    'l2l train --epochs 60 --steps 10 --unroll 5 --instances 16 --eval-instances 16 --eval-every 5 ' +
    '--checkpoint-every 1 --no-compare --workers 1 --seed 5 --json'
  ).split(' '),
  rl2: (
    'rl2 train --episodes 2 --hidden 8 --batch 16 --iterations 60 --eval-every 5 --checkpoint-every 1 ' +
    '--workers 1 --seed 5 --json'
  ).split(' '),
};

function runToEnd(args: string[]): number | null {
  return spawnSync(NODE, [...TS_LOADER, MAIN, ...args], { stdio: 'ignore', timeout: 120_000 }).status;
}

function store(kind: RunKind, dir: string) {
  const checkpoints = join(dir, 'checkpoints');
  return kind === 'l2l' ? metaTrainCheckpoints(checkpoints) : rl2Checkpoints(checkpoints);
}

/** A killed run is resumed; one killed before it wrote its config.json is started again. */
function where(dir: string): string[] {
  return existsSync(join(dir, 'config.json')) ? ['--resume', dir] : ['--run-dir', dir];
}

/**
 * Starts `metagrad args` and kills it with SIGKILL at a moment drawn from `rng`: a third of the time
 * during start-up (0.3–1.5 s), otherwise after 1–15 more training steps have been logged and a further
 * 0–30 ms, so that kills land in steps, evaluations and checkpoint writes alike.
 */
async function killAtRandom(args: string[], rng: Rng): Promise<void> {
  const child = spawn(NODE, [...TS_LOADER, MAIN, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const kill = () => child.kill('SIGKILL');
  if (rng.next() < 1 / 3) {
    setTimeout(kill, 300 + 1200 * rng.next());
  } else {
    const steps = 1 + rng.int(15);
    const delay = 30 * rng.next();
    let seen = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString().match(/"type":"progress"/g)?.length ?? 0;
      if (seen >= steps) setTimeout(kill, delay);
    });
  }
  await exited;
}

describe('kill -9 at random moments', () => {
  for (const kind of ['l2l', 'rl2'] as RunKind[]) {
    it(`${kind}: ten kills and resumes end exactly where an uninterrupted run ends`, {
      timeout: 300_000,
    }, async () => {
      const root = mkdtempSync(join(tmpdir(), `kill-soak-${kind}-`));
      const reference = join(root, 'reference');
      expect(runToEnd([...RUNS[kind], '--run-dir', reference])).toBe(0);
      const dir = join(root, 'killed');
      const rng = new Rng(`kill-soak-${kind}`);
      const checkpointed = new Set<number>();
      for (let kill = 0; kill < 10; kill++) {
        await killAtRandom([...RUNS[kind], ...where(dir)], rng);
        const latest = store(kind, dir).latest();
        if (latest) checkpointed.add(latest.data.step);
      }
      // The kills left the run at several points part-way through, not only before or after it.
      const total = kind === 'l2l' ? 60 * 2 : 60;
      expect([...checkpointed].filter((step) => step > 0 && step < total).length).toBeGreaterThanOrEqual(3);
      expect(runToEnd([...RUNS[kind], ...where(dir)])).toBe(0);
      expectNothingTorn(kind, dir);
      expect(runOutputs(kind, dir)).toEqual(runOutputs(kind, reference));
    });
  }
});
