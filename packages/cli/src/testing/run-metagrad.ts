import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI entry point, for tests that run it as a real process. */
export const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));
/** Node itself with tsx's loader (not the tsx CLI wrapper), so signals reach the real process. */
export const NODE = process.execPath;
export const TS_LOADER = ['--import', 'tsx'];

/** Runs `metagrad …` to completion and returns its exit code and output. Test utility. */
export function metagrad(...args: string[]) {
  return metagradWithEnvironment({}, ...args);
}

/** {@link metagrad} with environment variables set (or, as undefined, unset) for the process. */
export function metagradWithEnvironment(variables: Record<string, string | undefined>, ...args: string[]) {
  const result = spawnSync(NODE, [...TS_LOADER, MAIN, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...variables },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
