// C = A·Bᵀ on raw pointers (byte addresses, strides in elements), beside gemm.ts. Every entry is
// the same sum in the same order whatever the blocking: lane l adds the products p ≡ l (mod 4) in
// order, the lanes are added as (l0 + l1) + (l2 + l3), then the tail products and C.
import { hsum, madd } from './math';

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/**
 * C = A·Bᵀ (+ C when `accumulate`): C[i, j] = Σ_p A[i, p]·B[j, p] with A `[m × k]` (row stride
 * lda) and B `[n × k]` (row stride ldb). Vectorised along the shared dimension k, which is long
 * (coordinates or rows) wherever this is used.
 *
 * Two rows of A at a time against four rows of B: eight independent sums (one or four alone
 * would wait on the latency of their additions), and each vector loaded serves two of them.
 */
export function gemmNT(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  accumulate: i32,
): void {
  const end = <usize>(k & ~3) << 2;
  let i = 0;
  for (; i + 2 <= m; i += 2) {
    const a0 = at(a, i * lda);
    const a1 = at(a, (i + 1) * lda);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = at(b, j * ldb);
      const b1 = at(b, (j + 1) * ldb);
      const b2 = at(b, (j + 2) * ldb);
      const b3 = at(b, (j + 3) * ldb);
      let s0 = f32x4.splat(0);
      let s1 = s0;
      let s2 = s0;
      let s3 = s0;
      let u0 = s0;
      let u1 = s0;
      let u2 = s0;
      let u3 = s0;
      for (let off: usize = 0; off < end; off += 16) {
        const x0 = v128.load(a0 + off);
        const x1 = v128.load(a1 + off);
        let y = v128.load(b0 + off);
        s0 = madd(x0, y, s0);
        u0 = madd(x1, y, u0);
        y = v128.load(b1 + off);
        s1 = madd(x0, y, s1);
        u1 = madd(x1, y, u1);
        y = v128.load(b2 + off);
        s2 = madd(x0, y, s2);
        u2 = madd(x1, y, u2);
        y = v128.load(b3 + off);
        s3 = madd(x0, y, s3);
        u3 = madd(x1, y, u3);
      }
      const c0 = at(c, i * ldc + j);
      const c1 = at(c, (i + 1) * ldc + j);
      finish(s0, a0, b0, k, c0, accumulate);
      finish(s1, a0, b1, k, c0 + 4, accumulate);
      finish(s2, a0, b2, k, c0 + 8, accumulate);
      finish(s3, a0, b3, k, c0 + 12, accumulate);
      finish(u0, a1, b0, k, c1, accumulate);
      finish(u1, a1, b1, k, c1 + 4, accumulate);
      finish(u2, a1, b2, k, c1 + 8, accumulate);
      finish(u3, a1, b3, k, c1 + 12, accumulate);
    }
    for (; j < n; j++) {
      const br = at(b, j * ldb);
      let s = f32x4.splat(0);
      let u = s;
      for (let off: usize = 0; off < end; off += 16) {
        const y = v128.load(br + off);
        s = madd(v128.load(a0 + off), y, s);
        u = madd(v128.load(a1 + off), y, u);
      }
      finish(s, a0, br, k, at(c, i * ldc + j), accumulate);
      finish(u, a1, br, k, at(c, (i + 1) * ldc + j), accumulate);
    }
  }
  if (i < m) {
    const ar = at(a, i * lda);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = at(b, j * ldb);
      const b1 = at(b, (j + 1) * ldb);
      const b2 = at(b, (j + 2) * ldb);
      const b3 = at(b, (j + 3) * ldb);
      let s0 = f32x4.splat(0);
      let s1 = s0;
      let s2 = s0;
      let s3 = s0;
      for (let off: usize = 0; off < end; off += 16) {
        const x = v128.load(ar + off);
        s0 = madd(x, v128.load(b0 + off), s0);
        s1 = madd(x, v128.load(b1 + off), s1);
        s2 = madd(x, v128.load(b2 + off), s2);
        s3 = madd(x, v128.load(b3 + off), s3);
      }
      const cp = at(c, i * ldc + j);
      finish(s0, ar, b0, k, cp, accumulate);
      finish(s1, ar, b1, k, cp + 4, accumulate);
      finish(s2, ar, b2, k, cp + 8, accumulate);
      finish(s3, ar, b3, k, cp + 12, accumulate);
    }
    for (; j < n; j++) {
      const br = at(b, j * ldb);
      let s = f32x4.splat(0);
      for (let off: usize = 0; off < end; off += 16) {
        s = madd(v128.load(ar + off), v128.load(br + off), s);
      }
      finish(s, ar, br, k, at(c, i * ldc + j), accumulate);
    }
  }
}

/** Stores one entry: the lanes' sum, then the products past the last multiple of 4, then C. */
@inline
function finish(s: v128, ar: usize, br: usize, k: i32, cp: usize, accumulate: i32): void {
  let t = hsum(s);
  for (let p = k & ~3; p < k; p++) t += load<f32>(at(ar, p)) * load<f32>(at(br, p));
  store<f32>(cp, accumulate ? load<f32>(cp) + t : t);
}
