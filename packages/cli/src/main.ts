#!/usr/bin/env node
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { EXIT_CODES, exitCodeFor } from './run/exit-codes.js';

/** Runs one command; the exit codes are documented in run/exit-codes.ts and the README. */
async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors (unknown flag, missing argument) exit 2.
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.badInput;
    }
    console.error(`metagrad: ${error instanceof Error ? error.message : String(error)}`);
    return exitCodeFor(error);
  }
}

// `metagrad runs list | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv);
