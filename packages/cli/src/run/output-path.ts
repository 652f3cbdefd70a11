import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { ConfigError } from '@metagrad/core';
import { RUN_FILES } from './run-directory.js';

/** Everything a run directory holds that no export or plot may write over. */
const RUN_OWNED = [...Object.values(RUN_FILES), 'optimizer', 'best', 'agent', 'comparison.json', '.lock'];

/**
 * Checks an `--out` path before anything is written: it may never be one of a run's own files
 * (config.json, metrics.jsonl, checkpoints/, saved weights…), neither of the `runDirs` the command
 * reads nor of any other run directory it lies in, however it is reached (symbolic links and `..`
 * are resolved first); and an existing file is only replaced with `force`. Violations are
 * ConfigErrors naming `--out` (exit 2).
 */
export function checkOutputPath(out: string, runDirs: string[], force: boolean): void {
  const target = realTarget(out);
  for (const dir of [...runDirs.map(realTarget), ...enclosingRunDirectories(target)]) {
    const inside = relative(dir, target);
    const first = inside.split(sep)[0]!;
    if (inside !== '' && !inside.startsWith('..') && RUN_OWNED.includes(first)) {
      throw new ConfigError('out', out, `is part of the run in ${dir}; choose a path outside its own files`);
    }
  }
  if (!force && existsSync(target)) {
    throw new ConfigError('out', out, 'already exists; pass --force to replace it');
  }
}

/**
 * Where writing `path` would land: its deepest existing ancestor with every link resolved, then the
 * rest of the path (a link at the end is followed too, as opening it for writing would).
 */
function realTarget(path: string): string {
  const rest: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync(current), ...rest.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return join(current, ...rest.reverse());
      rest.push(basename(current));
      current = parent;
    }
  }
}

/** Every directory above `target` that holds a run (a config.json), nearest first. */
function enclosingRunDirectories(target: string): string[] {
  const dirs: string[] = [];
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    if (existsSync(join(dir, RUN_FILES.config))) dirs.push(dir);
    if (dirname(dir) === dir) return dirs;
  }
}
