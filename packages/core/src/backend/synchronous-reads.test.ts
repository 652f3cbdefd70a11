import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The only synchronous reads allowed in library code, and why each is safe: a GPU backend
 * (webgpu) can read only asynchronously in Node, so any other would fail a command there.
 */
const ALLOWED: Record<string, string> = {
  'packages/optimizers/src/ops/lstm-optimizer-step_grad.ts':
    'reads the snapshot handle the WebAssembly kernel wrote: the fused kernels run on wasm and cpu only, where tensors live on the CPU',
  'packages/rl/src/ops/gru-sequence_grad.ts':
    'reads the snapshot handle the WebAssembly kernel wrote: the fused kernels run on wasm and cpu only, where tensors live on the CPU',
  'packages/core/src/gumbel/gumbel-softmax_grad.ts':
    'reads the snapshot handle the WebAssembly kernel wrote: the fused kernels run on wasm and cpu only, where tensors live on the CPU',
  'packages/core/src/gumbel/gumbel-softmax.ts':
    "reads a tensor temperature's value for the fused kernel only, which runs on wasm and cpu, where tensors live on the CPU",
};

const SYNCHRONOUS_READ = /\.(dataSync|arraySync|bufferSync)\s*\(/;

/** Library sources: every package's src, without tests and test helpers. */
function librarySources(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'testing' && name !== 'node_modules') walk(path);
      } else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) files.push(path);
    }
  };
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src');
    if (statSync(src, { throwIfNoEntry: false })?.isDirectory()) walk(src);
  }
  return files;
}

describe('synchronous tensor reads', () => {
  it('appear in library code only where the allowlist says why they are safe', () => {
    const sources = librarySources();
    expect(sources.length).toBeGreaterThan(100);
    const offenders = sources
      .map((path) => relative(root, path))
      .filter((path) => !(path in ALLOWED))
      .flatMap((path) =>
        readFileSync(join(root, path), 'utf8')
          .split('\n')
          .flatMap((line, i) => (SYNCHRONOUS_READ.test(line) ? [`${path}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders, 'read with await tensor.data() or readTensors instead').toEqual([]);
  });

  it('the allowlist names only files that still read synchronously', () => {
    for (const path of Object.keys(ALLOWED)) {
      expect(readFileSync(join(root, path), 'utf8'), path).toMatch(SYNCHRONOUS_READ);
    }
  });
});
