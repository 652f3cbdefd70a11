import { listBackends } from '@metagrad/core';
import type { Command } from 'commander';

/** `metagrad backends`: every tensor backend, available or not, with the reason. */
export function registerBackendsCommand(program: Command): void {
  program
    .command('backends')
    .description('list the tensor backends and whether each can be loaded here')
    .option('--json', 'print one JSON array instead of a table')
    .addHelpText('after', '\nExamples:\n  $ metagrad backends\n  $ metagrad backends --json')
    .action(async (options: { json?: boolean }) => {
      const statuses = await listBackends();
      if (options.json) {
        console.log(JSON.stringify(statuses));
        return;
      }
      for (const s of statuses) {
        console.log(
          `${s.name.padEnd(11)} ${(s.available ? 'available' : 'unavailable').padEnd(12)} ${s.detail}`,
        );
      }
    });
}
