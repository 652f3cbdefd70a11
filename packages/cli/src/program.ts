import { Command } from 'commander';
import { cliVersion } from './cli-version.js';
import { registerBackendsCommand } from './commands/backends.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerL2lEvalCommand } from './commands/l2l-eval.js';
import { registerL2lStudyCommand } from './commands/l2l-study.js';
import { registerL2lTrainCommand } from './commands/l2l-train.js';
import { registerRl2EvalCommand } from './commands/rl2-eval.js';
import { registerRl2TableCommand } from './commands/rl2-table.js';
import { registerRl2TrainCommand } from './commands/rl2-train.js';
import { registerRunsCommand } from './commands/runs.js';
import { registerWatchCommand } from './commands/watch.js';

/** Builds the `metagrad` command tree (exported for tests). */
export function buildProgram(): Command {
  const program = new Command('metagrad')
    .description('metagrad: meta-learning on TensorFlow.js (learned optimizers, RL²)')
    .version(cliVersion())
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      outputError: (text, write) => write(`${text.split('\n')[0]!.replace(/^error: /, 'metagrad: ')}\n`),
    })
    .exitOverride();
  registerBackendsCommand(program);
  const l2l = program.command('l2l').description('learned optimizers: meta-train and evaluate');
  registerL2lTrainCommand(l2l);
  registerL2lEvalCommand(l2l);
  registerL2lStudyCommand(l2l);
  const rl2 = program
    .command('rl2')
    .description('RL²: train recurrent agents that learn to explore, and compare with classic algorithms');
  registerRl2TrainCommand(rl2);
  registerRl2EvalCommand(rl2);
  registerRl2TableCommand(rl2);
  registerRunsCommand(program);
  registerWatchCommand(program);
  registerBenchCommand(program);
  return program;
}
