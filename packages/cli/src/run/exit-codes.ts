/**
 * The exit codes of every metagrad command, in one place:
 * - 0: done, or stopped by the user's own choice (`q` in the dashboard);
 * - 1: a runtime failure: a backend that cannot load, a full disk, a run whose weights stopped being finite;
 * - 2: bad input: a flag, a config file, a checkpoint or a run directory that cannot be used (one line names it);
 * - 130 / 143: a training run stopped by SIGINT (Ctrl-C) / SIGTERM before it completed, after writing a
 *   checkpoint, so that a scheduler can requeue it with `--resume`.
 */
export const EXIT_CODES = { ok: 0, failure: 1, badInput: 2, interrupted: 130, terminated: 143 } as const;

/** Error classes (by name, so that errors from the training worker map the same way) that mean bad input. */
const BAD_INPUT = new Set([
  'ConfigError',
  'CheckpointError',
  'SavedOptimizerError',
  'SavedModelError',
  'IdxFormatError',
  'DirectoryLockedError',
]);

/** The exit code for an error a command threw. */
export function exitCodeFor(error: unknown): number {
  const name = error instanceof Error ? error.name : '';
  return BAD_INPUT.has(name) ? EXIT_CODES.badInput : EXIT_CODES.failure;
}

/** The exit code of a run stopped by a signal. */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? EXIT_CODES.terminated : EXIT_CODES.interrupted;
}
