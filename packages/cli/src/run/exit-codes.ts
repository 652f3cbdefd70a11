import type { StopCause } from './stop-requests.js';

/**
 * The exit codes of every metagrad command, in one place:
 * - 0: done, or stopped by the user's own choice (`q` in the dashboard);
 * - 1: a runtime failure: a full disk, a run whose weights stopped being finite or whose GPU device failed;
 * - 2: bad input: a flag, a config file, a checkpoint or a run directory that cannot be used, or a backend
 *   this machine cannot load (one line names it);
 * - 129 / 130 / 143: a training run stopped by SIGHUP (its terminal closed) / SIGINT (Ctrl-C) / SIGTERM
 *   before it completed, after writing a checkpoint, so that a scheduler can requeue it with `--resume`;
 * - 141: likewise, because its standard output closed (`metagrad rl2 train --json | head`), the code a
 *   shell reports for a process ended by SIGPIPE.
 */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  badInput: 2,
  hungUp: 129,
  interrupted: 130,
  outputClosed: 141,
  terminated: 143,
} as const;

/** Error classes (by name, so that errors from the training worker map the same way) that mean bad input. */
const BAD_INPUT = new Set([
  'ConfigError',
  'CheckpointError',
  'SavedOptimizerError',
  'SavedModelError',
  'IdxFormatError',
  'DirectoryLockedError',
  'BackendUnavailableError',
]);

/** The exit code for an error a command threw. */
export function exitCodeFor(error: unknown): number {
  const name = error instanceof Error ? error.name : '';
  // A read-only place to write is the user's to fix, like a bad path (checked up front where known).
  const readOnly = (error as NodeJS.ErrnoException | undefined)?.code === 'EROFS';
  return BAD_INPUT.has(name) || readOnly ? EXIT_CODES.badInput : EXIT_CODES.failure;
}

/** The exit code of a run stopped before it completed, by what stopped it. */
export function exitCodeForStop(cause: StopCause): number {
  const codes = {
    SIGHUP: EXIT_CODES.hungUp,
    SIGINT: EXIT_CODES.interrupted,
    EPIPE: EXIT_CODES.outputClosed,
    SIGTERM: EXIT_CODES.terminated,
  };
  return codes[cause];
}
