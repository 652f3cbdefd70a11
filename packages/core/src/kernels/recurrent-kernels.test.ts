import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RecurrentKernels, recurrentKernels } from './recurrent-kernels.js';
import { RECURRENT_WASM_BASE64 } from './recurrent-wasm.js';

const coreRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('recurrent kernels module', () => {
  it('the committed WebAssembly is exactly what the AssemblyScript sources build to', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-kernels.ts', '--check'], {
      cwd: coreRoot,
      encoding: 'utf8',
    });
    expect(out).toContain('matches its sources');
  });

  it('gemm and gemmNT agree with a float64 reference on shapes off the SIMD width', () => {
    const kernels = new RecurrentKernels(
      Uint8Array.from(atob(RECURRENT_WASM_BASE64), (c) => c.charCodeAt(0)),
    );
    const k = kernels.exports;
    for (const [m, n, p] of [
      [1, 1, 1],
      [5, 7, 3],
      [13, 130, 9],
    ] as const) {
      kernels.reset();
      const a = kernels.alloc(m * p);
      const b = kernels.alloc(p * n);
      const bt = kernels.alloc(n * p);
      const c = kernels.alloc(m * n);
      const d = kernels.alloc(m * n);
      const value = (i: number) => Math.sin(i * 12.9898) * 2;
      kernels.view(a, m * p).set(Array.from({ length: m * p }, (_, i) => value(i)));
      kernels.view(b, p * n).set(Array.from({ length: p * n }, (_, i) => value(i + 1000)));
      k.transpose(p, n, b, n, bt);
      k.gemm(m, n, p, a, p, 1, b, n, c, n, 0);
      k.gemmNT(m, n, p, a, p, bt, p, d, n, 0);
      const A = kernels.view(a, m * p);
      const B = kernels.view(b, p * n);
      const C = kernels.view(c, m * n);
      const D = kernels.view(d, m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let ref = 0;
          for (let q = 0; q < p; q++) ref += A[i * p + q]! * B[q * n + j]!;
          expect(Math.abs(C[i * n + j]! - ref)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref)) * p);
          expect(Math.abs(D[i * n + j]! - ref)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref)) * p);
        }
      }
    }
  });

  it('one instance per thread, its arena reused by every op', () => {
    expect(recurrentKernels()).toBe(recurrentKernels());
  });
});
