import { METAGRAD_VERSION } from '@metagrad/core';
import { Command } from 'commander';
import { registerBackendsCommand } from './commands/backends.js';
import { registerL2lEvalCommand } from './commands/l2l-eval.js';
import { registerL2lTrainCommand } from './commands/l2l-train.js';

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
  const l2l = program.command('l2l').description('learned optimizers: meta-train and evaluate');
  registerL2lTrainCommand(l2l);
  registerL2lEvalCommand(l2l);
  return program;
}
