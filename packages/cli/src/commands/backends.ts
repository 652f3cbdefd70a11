import { hasFusedKernels, listBackends, WEBGPU_SYNC_READS } from '@metagrad/core';
import { LSTM_OPTIMIZER_STEP } from '@metagrad/optimizers';
import { GRU_SEQUENCE } from '@metagrad/rl';
import type { Command } from 'commander';
import { addJsonFlag } from '../flags/json-flag.js';

/** The tfjs backend id behind each metagrad backend name. */
const TF_BACKEND: Record<string, string> = {
  wasm: 'wasm',
  cpu: 'cpu',
  tensorflow: 'tensorflow',
  cuda: 'tensorflow',
};

/** What `--kernels auto` runs on a backend: the recurrent ops' fused kernels where it has both. */
function kernelsFor(name: string): string {
  const backend = TF_BACKEND[name] ?? name;
  const fused = [GRU_SEQUENCE, LSTM_OPTIMIZER_STEP].every((kernel) => hasFusedKernels(backend, kernel));
  return fused ? 'fused' : 'composite';
}

/** `metagrad backends`: every tensor backend, available or not, with the reason and its recurrent kernels. */
export function registerBackendsCommand(program: Command): void {
  addJsonFlag(
    program.command('backends').description('list the tensor backends and whether each can be loaded here'),
    'one JSON array instead of a table',
  )
    .addHelpText('after', '\nExamples:\n  $ metagrad backends\n  $ metagrad backends --json')
    .action(async (options: { json?: boolean }) => {
      const statuses = (await listBackends()).map((s) => ({ ...s, kernels: kernelsFor(s.name) }));
      if (options.json) {
        console.log(JSON.stringify(statuses));
        return;
      }
      for (const s of statuses) {
        console.log(
          `${s.name.padEnd(11)} ${(s.available ? 'available' : 'unavailable').padEnd(12)} ${`kernels: ${s.kernels}`.padEnd(19)} ${s.detail}`,
        );
      }
      console.log(
        '\nkernels: what --kernels auto runs for the recurrent ops (LSTM optimizer step, GRU sequence): ' +
          'fused = SIMD WebAssembly kernels (WGSL on webgpu), composite = tfjs ops.',
      );
      if (statuses.some((s) => s.name === 'webgpu' && s.available))
        console.log(`webgpu, in your own code: ${WEBGPU_SYNC_READS}.`);
    });
}
