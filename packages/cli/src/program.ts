import { Command } from 'commander';
import { cliVersion } from './cli-version.js';
import { registerBackendsCommand } from './commands/backends.js';
import { registerBenchCommand } from './commands/bench.js';
import { registerGradientWorkerCommand } from './commands/gradient-worker.js';
import { registerL2lEvalCommand } from './commands/l2l-eval.js';
import { registerL2lStudyCommand } from './commands/l2l-study.js';
import { registerRl2EvalCommand } from './commands/rl2-eval.js';
import { registerRl2TableCommand } from './commands/rl2-table.js';
import { registerRunsCommand } from './commands/runs.js';
import { registerSweepCommand } from './commands/sweep.js';
import { registerTrainCommand } from './commands/train.js';
import { registerWatchCommand } from './commands/watch.js';
import { registerWorkerCommand } from './commands/worker.js';
import { quietCpuBackend } from './run/backend-choice.js';
import { registeredTrainers, trainerNamed } from './trainers/trainer-registry.js';

/**
 * Builds the `metagrad` command tree (exported for tests): `<trainer> train` for every registered
 * trainer, built from its descriptor, beside the commands of its own (`l2l eval`, `rl2 table`, …).
 * `trainerModules` maps the name of a trainer loaded from a `--trainer-module` to its path.
 */
export function buildProgram(trainerModules: ReadonlyMap<string, string> = new Map()): Command {
  quietCpuBackend();
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
  registerTrainCommand(l2l, trainerNamed('l2l'));
  registerL2lEvalCommand(l2l);
  registerL2lStudyCommand(l2l);
  const rl2 = program
    .command('rl2')
    .description('RL²: train recurrent agents that learn to explore, and compare with classic algorithms');
  registerTrainCommand(rl2, trainerNamed('rl2'));
  registerRl2EvalCommand(rl2);
  registerRl2TableCommand(rl2);
  for (const trainer of registeredTrainers()) {
    if (trainer.name === 'l2l' || trainer.name === 'rl2') continue;
    const own = program.command(trainer.name).description(trainer.description);
    registerTrainCommand(own, trainer, trainerModules.get(trainer.name));
  }
  registerRunsCommand(program);
  registerWatchCommand(program);
  registerSweepCommand(program);
  registerWorkerCommand(program);
  registerGradientWorkerCommand(program);
  registerBenchCommand(program);
  return program;
}
