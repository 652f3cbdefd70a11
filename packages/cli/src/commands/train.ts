import type { Command } from 'commander';
import { addRunFlags, type RunFlags } from '../flags/run-flags.js';
import { addSchemaFlags } from '../flags/schema-flags.js';
import { trainInTerminal } from '../run/train-in-terminal.js';
import { planTraining } from '../run/training-plan.js';
import { trainerFlags } from '../trainers/trainer-flags.js';
import type { AnyTrainer } from '../trainers/trainer-registry.js';

/**
 * `metagrad <trainer> train`: the same command for every trainer, built from its descriptor (its
 * flags, help, checks and run), with the dashboard, run directories, checkpoints and resumes that
 * every run gets. `trainerModule` is the module a user's trainer came from: its `--trainer-module`
 * flag is accepted here (main.ts loaded it before building the command), and the dashboard's worker
 * loads it again.
 */
export function registerTrainCommand(parent: Command, trainer: AnyTrainer, trainerModule?: string): void {
  const command = parent.command('train').description(trainer.description);
  addRunFlags(addSchemaFlags(command, trainerFlags(trainer)), `${trainer.name}-<setting>`);
  if (trainerModule)
    command.option('--trainer-module <file>', 'the module whose default export is this trainer');
  if (trainer.help) command.addHelpText('after', trainer.help);
  command.action(async (options: Record<string, unknown> & RunFlags) => {
    const plan = await planTraining(options, trainer);
    await trainInTerminal(trainer, plan, trainerModule);
  });
}
