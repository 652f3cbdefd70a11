import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { platform } from '#platform';
import { RecurrentKernels, recurrentKernels } from './recurrent-kernels.js';
import { RECURRENT_WASM_BASE64, RECURRENT_WASM_RELAXED_SIMD_BASE64 } from './recurrent-wasm.js';

const coreRoot = fileURLToPath(new URL('../..', import.meta.url));

const decode = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));

/** A kernel module of its own (not the thread's shared instance), so a test owns its whole arena. */
function freshKernels(base64 = RECURRENT_WASM_BASE64): RecurrentKernels {
  return new RecurrentKernels(decode(base64));
}

/** Both builds where this runtime compiles the relaxed-SIMD one (Node 20 with its flag set, Node 22+). */
const BUILDS = [
  { build: 'SIMD128', base64: RECURRENT_WASM_BASE64 },
  ...(platform.compilesWasm(decode(RECURRENT_WASM_RELAXED_SIMD_BASE64))
    ? [{ build: 'relaxed SIMD', base64: RECURRENT_WASM_RELAXED_SIMD_BASE64 }]
    : []),
];

/**
 * c + a·b in float32 as a kernel lane computes it: rounded once when fused (float64 holds the
 * product of two float32s exactly; the sum's two roundings, to float64 and then float32, differ
 * from one only at an exact tie, which this data does not reach), else the product first.
 */
function multiplyAdd(fused: boolean): (c: number, a: number, b: number) => number {
  const f = Math.fround;
  return fused ? (c, a, b) => f(c + a * b) : (c, a, b) => f(c + f(a * b));
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

  it.each(BUILDS)(
    'gemm ($build) sums each entry in float32 in the order of the shared dimension, across its depth blocks',
    ({ base64 }) => {
      // A long shared dimension is taken in blocks; each block must continue the sums of the last, so
      // every entry is exactly the sequential float32 sum (then + C with accumulate), as in one pass.
      const kernels = freshKernels(base64);
      const k = kernels.exports;
      const f = Math.fround;
      // Columns past the last multiple of 4 are scalar products, never fused.
      const vectorAdd = multiplyAdd(kernels.arithmetic === 'fused-multiply-add');
      const scalarAdd = multiplyAdd(false);
      for (const { m, n, p, transposed, accumulate } of [
        { m: 12, n: 20, p: 700, transposed: false, accumulate: 0 },
        { m: 9, n: 13, p: 600, transposed: true, accumulate: 0 },
        { m: 12, n: 20, p: 700, transposed: true, accumulate: 1 },
        { m: 4, n: 8, p: 257, transposed: false, accumulate: 0 },
        { m: 7, n: 30, p: 600, transposed: true, accumulate: 0 },
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
            const add = j < n - (n % 4) ? vectorAdd : scalarAdd;
            let sum = 0;
            for (let q = 0; q < p; q++) sum = add(sum, A[i * ars + q * acs]!, B[q * n + j]!);
            const expected = accumulate ? f(before[i * n + j]! + sum) : sum;
            if (C[i * n + j] !== expected) mismatches++;
          }
        }
        expect(mismatches, `${m}×${n}×${p}, transposed ${transposed}, accumulate ${accumulate}`).toBe(0);
      }
    },
  );

  it.each(BUILDS)(
    'gemmBias ($build) has the bits of filling C with the bias row and accumulating',
    ({ base64 }) => {
      const kernels = freshKernels(base64);
      const k = kernels.exports;
      for (const [m, n, p] of [
        [1, 3, 2],
        [7, 30, 9],
        [130, 192, 7],
      ] as const) {
        kernels.reset();
        const a = kernels.alloc(m * p);
        const b = kernels.alloc(p * n);
        const bias = kernels.alloc(n);
        const filled = kernels.alloc(m * n);
        const fused = kernels.alloc(m * n);
        fill(kernels, a, m * p, 0);
        fill(kernels, b, p * n, 5000);
        fill(kernels, bias, n, 9000);
        for (let i = 0; i < m; i++) kernels.view(filled + i * n * 4, n).set(kernels.view(bias, n));
        k.gemm(m, n, p, a, p, 1, b, n, filled, n, 1);
        k.gemmBias(m, n, p, a, p, 1, b, n, bias, fused, n);
        expect(Array.from(kernels.view(fused, m * n)), `${m}×${n}×${p}`).toEqual(
          Array.from(kernels.view(filled, m * n)),
        );
      }
    },
  );

  it.each(BUILDS)(
    'gemmNT ($build) sums each entry in its documented float32 order, whatever its row and column blocks',
    ({ base64 }) => {
      const kernels = freshKernels(base64);
      const vectorAdd = multiplyAdd(kernels.arithmetic === 'fused-multiply-add');
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
              for (let q = l; q < vectorised; q += 4) sum = vectorAdd(sum, A[i * p + q]!, B[j * p + q]!);
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
    },
  );

  it('the SIMD128 build never fuses; the thread uses the relaxed-SIMD build exactly where it fuses', () => {
    expect(freshKernels().arithmetic).toBe('multiply-then-add');
    const relaxed = BUILDS.find((b) => b.build === 'relaxed SIMD');
    const fuses = relaxed !== undefined && freshKernels(relaxed.base64).arithmetic === 'fused-multiply-add';
    expect(recurrentKernels().arithmetic).toBe(fuses ? 'fused-multiply-add' : 'multiply-then-add');
  });

  it('METAGRAD_KERNEL_ARITHMETIC pins the arithmetic, and an unknown value is refused naming it', () => {
    const arithmetic = (value: string) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', '-e', "import('./src/index.ts').then((m) => console.log(m.kernelArithmetic()))"],
        { cwd: coreRoot, encoding: 'utf8', env: { ...process.env, METAGRAD_KERNEL_ARITHMETIC: value } },
      );
    const pinned = arithmetic('multiply-then-add');
    expect(pinned.stdout.trim()).toBe('multiply-then-add');
    const refused = arithmetic('fma');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(
      'invalid METAGRAD_KERNEL_ARITHMETIC: "fma" (expected one of fused-multiply-add, multiply-then-add)',
    );
  });

  it('one instance per thread, its arena reused by every op', () => {
    expect(recurrentKernels()).toBe(recurrentKernels());
  });
});
