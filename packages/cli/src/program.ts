import { METAGRAD_VERSION } from '@metagrad/core';
import { Command } from 'commander';
import { registerBackendsCommand } from './commands/backends.js';

/** Builds the `metagrad` command tree (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('metagrad')
    .description('metagrad: meta-learning on TensorFlow.js (learned optimizers, RL²)')
    .version(METAGRAD_VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      outputError: (text, write) => write(`${text.split('\n')[0]!.replace(/^error: /, 'metagrad: ')}\n`),
    })
    .exitOverride();
  registerBackendsCommand(program);
  return program;
}
