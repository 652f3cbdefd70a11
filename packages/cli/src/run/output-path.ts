import { existsSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { ConfigError } from '@metagrad/core';
import { RUN_FILES } from './run-directory.js';

/** Everything a run directory holds that no export or plot may write over. */
const RUN_OWNED = [...Object.values(RUN_FILES), 'optimizer', 'best', 'agent', 'comparison.json', '.lock'];

/**
 * Checks an `--out` path before anything is written: it may never be one of a run's own files
 * (config.json, metrics.jsonl, checkpoints/, saved weights…) in any of `runDirs`, and an existing
 * file is only replaced with `force`. Violations are ConfigErrors naming `--out` (exit 2).
 */
export function checkOutputPath(out: string, runDirs: string[], force: boolean): void {
  const target = resolve(out);
  for (const dir of runDirs) {
    const inside = relative(resolve(dir), target);
    const first = inside.split(sep)[0]!;
    if (!inside.startsWith('..') && RUN_OWNED.includes(first)) {
      throw new ConfigError('out', out, `is part of the run in ${dir}; choose a path outside its own files`);
    }
  }
  if (!force && existsSync(target)) {
    throw new ConfigError('out', out, 'already exists; pass --force to replace it');
  }
}
