import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@metagrad/core';
import { z } from 'zod';
import type { EncodedWeight } from '../learned/weight-codec.js';

const encodedWeight = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data: z.string(),
});

const checkpointSchema = z.object({
  format: z.literal('metagrad-l2l-checkpoint'),
  version: z.literal(1),
  /** Epoch in progress and the inner step reached within it. */
  epoch: z.number().int().nonnegative(),
  innerStep: z.number().int().nonnegative(),
  metaStep: z.number().int().nonnegative(),
  skippedTotal: z.number().int().nonnegative(),
  bestLog10FinalLoss: z.number().nullable(),
  weights: z.array(encodedWeight),
  metaOptimizer: z.object({ step: z.number().int().nonnegative(), moments: z.array(encodedWeight) }),
  /** Mid-epoch: the optimizee parameters and recurrent state (absent at an epoch boundary). */
  inner: z.object({ params: encodedWeight, state: z.array(encodedWeight) }).nullable(),
  epochMetaLosses: z.array(z.number()),
});

/** Everything needed to continue meta-training exactly where it stopped. */
export type Checkpoint = z.infer<typeof checkpointSchema>;
export type { EncodedWeight };

const NAME = /^step-(\d{8})\.json$/;

/**
 * Writes `checkpoints/step-XXXXXXXX.json` atomically (temp file + rename) and keeps the newest
 * `keep` checkpoints. Returns the path written.
 */
export function writeCheckpoint(dir: string, checkpoint: Checkpoint, keep: number): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `step-${String(checkpoint.metaStep).padStart(8, '0')}.json`);
  writeFileAtomic(path, JSON.stringify(checkpoint));
  const all = listCheckpoints(dir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) rmSync(old, { force: true });
  return path;
}

/** Checkpoint files in `dir`, oldest first. */
export function listCheckpoints(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => NAME.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** A checkpoint file is unreadable or not a metagrad checkpoint. */
export class CheckpointError extends Error {
  constructor(path: string, problem: string) {
    super(`${path}: not a usable checkpoint: ${problem}`);
    this.name = 'CheckpointError';
  }
}

/** Reads and validates a checkpoint: plain JSON parsed with a schema; nothing is executed. */
export function readCheckpoint(path: string): Checkpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new CheckpointError(path, (error as Error).message);
  }
  const parsed = checkpointSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CheckpointError(path, `${issue.path.join('.') || 'root'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The newest checkpoint in `dir`, or undefined when there is none. */
export function latestCheckpoint(dir: string): { path: string; checkpoint: Checkpoint } | undefined {
  const all = listCheckpoints(dir);
  const path = all[all.length - 1];
  return path ? { path, checkpoint: readCheckpoint(path) } : undefined;
}
