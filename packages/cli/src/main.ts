#!/usr/bin/env node
import { BackendUnavailableError, ConfigError } from '@metagrad/core';
import { CheckpointError, IdxFormatError, SavedOptimizerError } from '@metagrad/optimizers';
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';

/** Exit codes: 0 ok, 1 runtime failure (e.g. a backend that cannot load), 2 bad input. */
async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage errors (unknown flag, missing argument) exit 2.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (
      error instanceof ConfigError ||
      error instanceof CheckpointError ||
      error instanceof SavedOptimizerError ||
      error instanceof IdxFormatError
    ) {
      console.error(`metagrad: ${error.message}`);
      return 2;
    }
    if (error instanceof BackendUnavailableError) {
      console.error(`metagrad: ${error.message}`);
      return 1;
    }
    console.error(`metagrad: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

// `metagrad runs list | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv);
