import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@metagrad/core';
import type { Command } from 'commander';

/** `metagrad bench`: the repository's benchmark harness (the same as `pnpm bench`). */
export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('run the benchmark workloads (medians per backend, JSON in bench/results/)')
    .allowUnknownOption()
    .argument(
      '[args...]',
      'harness options: --filter NAME --backends wasm,cpu --runs N --warmup N --out FILE',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  $ metagrad bench --filter meta-step --backends wasm\n  $ metagrad bench --filter time-to-beat',
    )
    .action((args: string[]) => {
      const harness = fileURLToPath(new URL('../../../../bench/run.ts', import.meta.url));
      if (!existsSync(harness)) {
        throw new ConfigError(
          'bench',
          harness,
          'the benchmark harness ships with the repository, not the package',
        );
      }
      const tsx = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));
      const result = spawnSync(tsx, [harness, ...args], { stdio: 'inherit' });
      process.exitCode = result.status ?? 1;
    });
}
