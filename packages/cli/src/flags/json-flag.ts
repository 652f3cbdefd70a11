import type { Command } from 'commander';

/**
 * Declares `--json` on a command: machine-readable output on standard output instead of text,
 * `prints` saying what it is (`one JSON object`, `one JSON event per line`, …).
 */
export function addJsonFlag(command: Command, prints = 'one JSON object'): Command {
  return command.option('--json', `print ${prints}`);
}
