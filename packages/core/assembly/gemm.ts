// Dense float32 matrix products on raw pointers (byte addresses, strides in elements).
// Summation order is fixed by the loop structure, so results are bit-for-bit repeatable for each
// kind of multiply-add (see madd).
import { madd } from './math';

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** Block of the shared dimension in {@link gemm}: 256 rows of B, 192 KiB at the GRU's n = 192, stay in L2. */
const DEPTH_BLOCK = 256;

/**
 * How a block of products meets C: overwrite it, continue the sums C holds, or add X to them
 * last, X(i, j) = x[i·xs + j]: C's old values (x = c, xs = ldc) or a bias row (xs = 0).
 */
const OVERWRITE = 0;
const ADD = 1;
const CONTINUE = 2;

/**
 * C = A·B (+ C when `accumulate`), C `[m × n]` with row stride ldc, B `[k × n]` with row stride
 * ldb, and A read as A(i, p) = a[i·ars + p·acs], so a transposed A costs nothing. Vectorised
 * along n: each A entry is broadcast against a row of B (no horizontal sums).
 *
 * A long shared dimension (the weight gradients' sums over every step and trial) is taken in
 * blocks of {@link DEPTH_BLOCK}, so that each block of B is read from cache by every row block of
 * A instead of from memory. Each block continues the sums the previous one stored in C, so the
 * result has exactly the bits of one pass; with `accumulate` (C's old values must be added last)
 * the product is one pass.
 */
export function gemm(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  ars: i32,
  acs: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  accumulate: i32,
): void {
  // Even a few rows of A read B once per row block (the tail rows once each): blocked, the later
  // passes find B's block in cache.
  const first = accumulate ? k : min(k, DEPTH_BLOCK);
  // Each call names its mode literally: the inlined panel then has no per-tile branch on it.
  if (accumulate) gemmPanel(m, n, k, a, ars, acs, b, ldb, c, ldc, ADD, c, ldc);
  else gemmPanel(m, n, first, a, ars, acs, b, ldb, c, ldc, OVERWRITE, c, ldc);
  for (let p = first; p < k; p += DEPTH_BLOCK) {
    const a0 = a + (<usize>(p * acs) << 2);
    const b0 = b + (<usize>(p * ldb) << 2);
    gemmPanel(m, n, min(DEPTH_BLOCK, k - p), a0, ars, acs, b0, ldb, c, ldc, CONTINUE, c, ldc);
  }
}

/**
 * C = A·B + bias, the row `bias` `[n]` added to every row: the bits of filling C with the bias and
 * calling {@link gemm} with `accumulate`, without that pass over C (one pass along k, as there).
 */
export function gemmBias(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  ars: i32,
  acs: i32,
  b: usize,
  ldb: i32,
  bias: usize,
  c: usize,
  ldc: i32,
): void {
  gemmPanel(m, n, k, a, ars, acs, b, ldb, c, ldc, ADD, bias, 0);
}

/**
 * {@link gemm} over one block of the shared dimension, in 4 × 8 tiles of C held in registers. The
 * pointers into A and B advance by adding their strides: recomputing the addresses each step cost
 * more than the arithmetic.
 */
@inline
function gemmPanel(
  m: i32,
  n: i32,
  k: i32,
  a: usize,
  ars: i32,
  acs: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  mode: i32,
  x: usize,
  xs: i32,
): void {
  const rowStep = <usize>ars << 2;
  const depthStep = <usize>acs << 2;
  const bStep = <usize>ldb << 2;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      let c00 = f32x4.splat(0);
      let c01 = c00;
      let c10 = c00;
      let c11 = c00;
      let c20 = c00;
      let c21 = c00;
      let c30 = c00;
      let c31 = c00;
      if (mode == CONTINUE) {
        c00 = v128.load(at(c, i * ldc + j));
        c01 = v128.load(at(c, i * ldc + j + 4));
        c10 = v128.load(at(c, (i + 1) * ldc + j));
        c11 = v128.load(at(c, (i + 1) * ldc + j + 4));
        c20 = v128.load(at(c, (i + 2) * ldc + j));
        c21 = v128.load(at(c, (i + 2) * ldc + j + 4));
        c30 = v128.load(at(c, (i + 3) * ldc + j));
        c31 = v128.load(at(c, (i + 3) * ldc + j + 4));
      }
      let ap = at(a, i * ars);
      let bp = at(b, j);
      for (let p = 0; p < k; p++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        // One broadcast load per A entry (a load and a shuffle otherwise), each just before its
        // use: four at once would leave too few vector registers for the sums.
        const a0 = v128.load32_splat(ap);
        c00 = madd(a0, b0, c00);
        c01 = madd(a0, b1, c01);
        const a1 = v128.load32_splat(ap + rowStep);
        c10 = madd(a1, b0, c10);
        c11 = madd(a1, b1, c11);
        const a2 = v128.load32_splat(ap + 2 * rowStep);
        c20 = madd(a2, b0, c20);
        c21 = madd(a2, b1, c21);
        const a3 = v128.load32_splat(ap + 3 * rowStep);
        c30 = madd(a3, b0, c30);
        c31 = madd(a3, b1, c31);
        ap += depthStep;
        bp += bStep;
      }
      // Addresses of C recomputed here, not held through the loop (which needs every register).
      store4(at(c, i * ldc + j), c00, mode, at(x, i * xs + j));
      store4(at(c, i * ldc + j + 4), c01, mode, at(x, i * xs + j + 4));
      store4(at(c, (i + 1) * ldc + j), c10, mode, at(x, (i + 1) * xs + j));
      store4(at(c, (i + 1) * ldc + j + 4), c11, mode, at(x, (i + 1) * xs + j + 4));
      store4(at(c, (i + 2) * ldc + j), c20, mode, at(x, (i + 2) * xs + j));
      store4(at(c, (i + 2) * ldc + j + 4), c21, mode, at(x, (i + 2) * xs + j + 4));
      store4(at(c, (i + 3) * ldc + j), c30, mode, at(x, (i + 3) * xs + j));
      store4(at(c, (i + 3) * ldc + j + 4), c31, mode, at(x, (i + 3) * xs + j + 4));
    }
    for (let r = i; r < i + 4; r++) gemmRowTail(r, j, n, k, a, ars, acs, b, ldb, c, ldc, mode, x, xs);
  }
  for (; i < m; i++) gemmRowTail(i, 0, n, k, a, ars, acs, b, ldb, c, ldc, mode, x, xs);
}

/** Starting sums for C(i, j…j + 3): C's when continuing, else zero. */
@inline
function start4(c: usize, ldc: i32, i: i32, j: i32, mode: i32): v128 {
  return mode == CONTINUE ? v128.load(at(c, i * ldc + j)) : f32x4.splat(0);
}

/** Stores four sums at `ptr`, in ADD mode plus the four values at `xp`. */
@inline
function store4(ptr: usize, v: v128, mode: i32, xp: usize): void {
  v128.store(ptr, mode == ADD ? f32x4.add(v128.load(xp), v) : v);
}

/** One row of C from column j on: four lanes at a time, then scalars. */
function gemmRowTail(
  i: i32,
  j0: i32,
  n: i32,
  k: i32,
  a: usize,
  ars: i32,
  acs: i32,
  b: usize,
  ldb: i32,
  c: usize,
  ldc: i32,
  mode: i32,
  x: usize,
  xs: i32,
): void {
  const depthStep = <usize>acs << 2;
  const bStep = <usize>ldb << 2;
  const aRow = at(a, i * ars);
  let j = j0;
  // Sixteen columns at a time: one broadcast of A(i, p) serves four vectors of B.
  for (; j + 16 <= n; j += 16) {
    let s0 = f32x4.splat(0);
    let s1 = s0;
    let s2 = s0;
    let s3 = s0;
    if (mode == CONTINUE) {
      s0 = v128.load(at(c, i * ldc + j));
      s1 = v128.load(at(c, i * ldc + j + 4));
      s2 = v128.load(at(c, i * ldc + j + 8));
      s3 = v128.load(at(c, i * ldc + j + 12));
    }
    let ap = aRow;
    let bp = at(b, j);
    for (let p = 0; p < k; p++) {
      const av = v128.load32_splat(ap);
      s0 = madd(av, v128.load(bp), s0);
      s1 = madd(av, v128.load(bp, 16), s1);
      s2 = madd(av, v128.load(bp, 32), s2);
      s3 = madd(av, v128.load(bp, 48), s3);
      ap += depthStep;
      bp += bStep;
    }
    store4(at(c, i * ldc + j), s0, mode, at(x, i * xs + j));
    store4(at(c, i * ldc + j + 4), s1, mode, at(x, i * xs + j + 4));
    store4(at(c, i * ldc + j + 8), s2, mode, at(x, i * xs + j + 8));
    store4(at(c, i * ldc + j + 12), s3, mode, at(x, i * xs + j + 12));
  }
  for (; j + 4 <= n; j += 4) {
    let acc = start4(c, ldc, i, j, mode);
    let ap = aRow;
    let bp = at(b, j);
    for (let p = 0; p < k; p++) {
      acc = madd(v128.load32_splat(ap), v128.load(bp), acc);
      ap += depthStep;
      bp += bStep;
    }
    store4(at(c, i * ldc + j), acc, mode, at(x, i * xs + j));
  }
  for (; j < n; j++) {
    const cp = at(c, i * ldc + j);
    let acc: f32 = mode == CONTINUE ? load<f32>(cp) : 0;
    let ap = aRow;
    let bp = at(b, j);
    for (let p = 0; p < k; p++) {
      acc += load<f32>(ap) * load<f32>(bp);
      ap += depthStep;
      bp += bStep;
    }
    store<f32>(cp, mode == ADD ? load<f32>(at(x, i * xs + j)) + acc : acc);
  }
}
