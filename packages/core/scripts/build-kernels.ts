/**
 * `pnpm --filter @metagrad/core build:kernels`: rebuilds src/kernels/recurrent-wasm.ts from assembly/.
 * With `--check`, writes nothing and exits 1 unless the sources build to the committed bytes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { compileKernels, KERNEL_OUTPUT, kernelModuleText } from './compile-kernels.js';

const text = kernelModuleText(await compileKernels());
if (process.argv.includes('--check')) {
  if (readFileSync(KERNEL_OUTPUT, 'utf8') !== text) {
    process.stderr.write(
      `${KERNEL_OUTPUT} is not what packages/core/assembly builds to: run build:kernels\n`,
    );
    process.exit(1);
  }
  process.stdout.write(`${KERNEL_OUTPUT} matches its sources\n`);
} else {
  writeFileSync(KERNEL_OUTPUT, text);
  process.stdout.write(`wrote ${KERNEL_OUTPUT}\n`);
}
