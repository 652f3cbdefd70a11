#!/usr/bin/env node
import { cliVersion } from './cli-version.js';
import { EXIT_CODES, exitCodeFor } from './run/exit-codes.js';
import { watchStdout } from './run/stdout.js';

/** Runs one command; the exit codes are documented in run/exit-codes.ts and the README. */
async function main(argv: string[]): Promise<number> {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    // Answered before tfjs and Ink load (about a second between them).
    console.log(cliVersion());
    return EXIT_CODES.ok;
  }
  const [{ CommanderError }, { buildProgram }, { loadTrainerModule, trainerModulesIn }] = await Promise.all([
    import('commander'),
    import('./program.js'),
    import('./trainers/trainer-module.js'),
  ]);
  try {
    // A user's trainer adds the command the rest of the line runs: load it before building the tree.
    const trainerModules = new Map<string, string>();
    for (const path of trainerModulesIn(args)) trainerModules.set((await loadTrainerModule(path)).name, path);
    await buildProgram(trainerModules).parseAsync(argv);
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

// `metagrad runs list | head` closes the pipe early: not an error; a training run stops (run/stdout.ts).
watchStdout();

process.exitCode = await main(process.argv);
