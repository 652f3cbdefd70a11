import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RecurrentKernels, recurrentKernels } from './recurrent-kernels.js';
import { RECURRENT_WASM_BASE64 } from './recurrent-wasm.js';

const coreRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A kernel module of its own (not the thread's shared instance), so a test owns its whole arena. */
function freshKernels(): RecurrentKernels {
  return new RecurrentKernels(Uint8Array.from(atob(RECURRENT_WASM_BASE64), (c) => c.charCodeAt(0)));
}

/** Fills `length` floats at `at` with deterministic values in [−2, 2], from the `offset`-th on. */
function fill(kernels: RecurrentKernels, at: number, length: number, offset: number): void {
  kernels.view(at, length).set(Array.from({ length }, (_, i) => Math.sin((i + offset) * 12.9898) * 2));
}

describe('recurrent kernels module', () => {
  it('the committed WebAssembly is exactly what the AssemblyScript sources build to', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-kernels.ts', '--check'], {
      cwd: coreRoot,
      encoding: 'utf8',
    });
    expect(out).toContain('matches its sources');
  });

  it('gemm and gemmNT agree with a float64 reference on shapes off the SIMD width', () => {
    const kernels = freshKernels();
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
      fill(kernels, a, m * p, 0);
      fill(kernels, b, p * n, 1000);
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

  it('gemm sums each entry in float32 in the order of the shared dimension, across its depth blocks', () => {
    // A long shared dimension is taken in blocks; each block must continue the sums of the last, so
    // every entry is exactly the sequential float32 sum (then + C with accumulate), as in one pass.
    const kernels = freshKernels();
    const k = kernels.exports;
    const f = Math.fround;
    for (const { m, n, p, transposed, accumulate } of [
      { m: 12, n: 20, p: 700, transposed: false, accumulate: 0 },
      { m: 9, n: 13, p: 600, transposed: true, accumulate: 0 },
      { m: 12, n: 20, p: 700, transposed: true, accumulate: 1 },
      { m: 4, n: 8, p: 257, transposed: false, accumulate: 0 },
    ]) {
      kernels.reset();
      const a = kernels.alloc(m * p);
      const b = kernels.alloc(p * n);
      const c = kernels.alloc(m * n);
      fill(kernels, a, m * p, 0);
      fill(kernels, b, p * n, 5000);
      fill(kernels, c, m * n, 9000);
      const before = Float32Array.from(kernels.view(c, m * n));
      // A(i, q) = a[i·ars + q·acs]: stored row-major [m × p], or transposed [p × m].
      const [ars, acs] = transposed ? [1, m] : [p, 1];
      k.gemm(m, n, p, a, ars, acs, b, n, c, n, accumulate);
      const A = kernels.view(a, m * p);
      const B = kernels.view(b, p * n);
      const C = kernels.view(c, m * n);
      let mismatches = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let q = 0; q < p; q++) sum = f(sum + f(A[i * ars + q * acs]! * B[q * n + j]!));
          const expected = accumulate ? f(before[i * n + j]! + sum) : sum;
          if (C[i * n + j] !== expected) mismatches++;
        }
      }
      expect(mismatches, `${m}×${n}×${p}, transposed ${transposed}, accumulate ${accumulate}`).toBe(0);
    }
  });

  it('gemmNT sums each entry in its documented float32 order, whatever its row and column blocks', () => {
    const kernels = freshKernels();
    const k = kernels.exports;
    const f = Math.fround;
    for (const [m, n, p, accumulate] of [
      [5, 9, 130, 0],
      [4, 8, 64, 1],
      [1, 20, 37, 0],
      [3, 2, 3, 1],
    ] as const) {
      kernels.reset();
      const a = kernels.alloc(m * p);
      const b = kernels.alloc(n * p);
      const c = kernels.alloc(m * n);
      fill(kernels, a, m * p, 0);
      fill(kernels, b, n * p, 5000);
      fill(kernels, c, m * n, 9000);
      const before = Float32Array.from(kernels.view(c, m * n));
      k.gemmNT(m, n, p, a, p, b, p, c, n, accumulate);
      const A = kernels.view(a, m * p);
      const B = kernels.view(b, n * p);
      const C = kernels.view(c, m * n);
      const vectorised = p - (p % 4);
      let mismatches = 0;
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          const product = (q: number) => f(A[i * p + q]! * B[j * p + q]!);
          // Lane l sums the products q ≡ l (mod 4) in order; lanes add as (l0 + l1) + (l2 + l3).
          const lanes = [0, 1, 2, 3].map((l) => {
            let sum = 0;
            for (let q = l; q < vectorised; q += 4) sum = f(sum + product(q));
            return sum;
          });
          let t = f(f(lanes[0]! + lanes[1]!) + f(lanes[2]! + lanes[3]!));
          for (let q = vectorised; q < p; q++) t = f(t + product(q));
          const expected = accumulate ? f(before[i * n + j]! + t) : t;
          if (C[i * n + j] !== expected) mismatches++;
        }
      }
      expect(mismatches, `${m}×${n}×${p}, accumulate ${accumulate}`).toBe(0);
    }
  });

  it('one instance per thread, its arena reused by every op', () => {
    expect(recurrentKernels()).toBe(recurrentKernels());
  });
});
