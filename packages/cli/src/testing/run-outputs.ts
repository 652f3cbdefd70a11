import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJsonl } from '@metagrad/core';
import { loadLearnedOptimizer, metaTrainCheckpoints } from '@metagrad/optimizers';
import { loadRl2Agent, rl2Checkpoints } from '@metagrad/rl';
import { expect } from 'vitest';

/** Which trainer wrote a run directory. Test utility. */
export type RunKind = 'l2l' | 'rl2';

/** The logged training events, without what depends on timing or on the directory's location. */
function stableEvents(dir: string, types: string[]) {
  return readJsonl<Record<string, unknown>>(join(dir, 'metrics.jsonl'))
    .records.filter((e) => types.includes(e.type as string))
    .map(({ time, ms, tensors, bytes, path, ...rest }) => ({
      ...rest,
      path: path && basename(path as string),
    }));
}

function summaryNumbers(dir: string) {
  const { seconds, ms, ...rest } = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  return rest;
}

const bytesOf = (path: string) => (existsSync(path) ? readFileSync(path).toString('base64') : null);

/**
 * What must not depend on interruptions and resumes: the saved weights (byte for byte), the summary's
 * numbers, and every logged training event (none lost, none twice). Test utility.
 */
export function runOutputs(kind: RunKind, dir: string) {
  return kind === 'l2l'
    ? {
        optimizer: bytesOf(join(dir, 'optimizer', 'weights.bin')),
        best: bytesOf(join(dir, 'best', 'weights.bin')),
        summary: summaryNumbers(dir),
        events: stableEvents(dir, ['progress', 'evaluation', 'checkpoint']),
      }
    : {
        agent: bytesOf(join(dir, 'agent', 'agent.json')),
        best: bytesOf(join(dir, 'best', 'agent.json')),
        summary: summaryNumbers(dir),
        events: stableEvents(dir, ['progress', 'evaluation', 'checkpoint']),
      };
}

/**
 * Every file a failed run left is whole: JSON parses, the log has no torn line, every checkpoint
 * verifies, saved weights load, and no temp file is left. Test utility.
 */
export function expectNothingTorn(kind: RunKind, dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    expect(name, `${path}: a temp file was left`).not.toMatch(/\.tmp$/);
    if (name.endsWith('.json')) expect(() => JSON.parse(readFileSync(path, 'utf8')), path).not.toThrow();
  }
  expect(readJsonl(join(dir, 'metrics.jsonl')).truncatedTail).toBe(false);
  const checkpoints = join(dir, 'checkpoints');
  const store = kind === 'l2l' ? metaTrainCheckpoints(checkpoints) : rl2Checkpoints(checkpoints);
  for (const path of store.list()) expect(() => store.read(path), path).not.toThrow();
  for (const saved of ['optimizer', 'best', 'agent']) {
    const sub = join(dir, saved);
    if (!existsSync(sub) || !statSync(sub).isDirectory()) continue;
    if (kind === 'l2l') loadLearnedOptimizer(sub).dispose();
    else loadRl2Agent(sub);
  }
}
