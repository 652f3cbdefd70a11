// Dense float32 matrix products on raw pointers (byte addresses, strides in elements).
// Summation order is fixed by the loop structure, so results are bit-for-bit repeatable.

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

@inline
function hsum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

/**
 * C = A·B (+ C when `accumulate`), C `[m × n]` with row stride ldc, B `[k × n]` with row stride
 * ldb, and A read as A(i, p) = a[i·ars + p·acs], so a transposed A costs nothing. Vectorised
 * along n: each A entry is broadcast against a row of B (no horizontal sums).
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
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      let c00 = f32x4.splat(0);
      let c01 = f32x4.splat(0);
      let c10 = f32x4.splat(0);
      let c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0);
      let c21 = f32x4.splat(0);
      let c30 = f32x4.splat(0);
      let c31 = f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        const bp = at(b, p * ldb + j);
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const ap = i * ars + p * acs;
        const a0 = f32x4.splat(load<f32>(at(a, ap)));
        const a1 = f32x4.splat(load<f32>(at(a, ap + ars)));
        const a2 = f32x4.splat(load<f32>(at(a, ap + 2 * ars)));
        const a3 = f32x4.splat(load<f32>(at(a, ap + 3 * ars)));
        c00 = f32x4.add(c00, f32x4.mul(a0, b0));
        c01 = f32x4.add(c01, f32x4.mul(a0, b1));
        c10 = f32x4.add(c10, f32x4.mul(a1, b0));
        c11 = f32x4.add(c11, f32x4.mul(a1, b1));
        c20 = f32x4.add(c20, f32x4.mul(a2, b0));
        c21 = f32x4.add(c21, f32x4.mul(a2, b1));
        c30 = f32x4.add(c30, f32x4.mul(a3, b0));
        c31 = f32x4.add(c31, f32x4.mul(a3, b1));
      }
      store4(at(c, i * ldc + j), c00, accumulate);
      store4(at(c, i * ldc + j + 4), c01, accumulate);
      store4(at(c, (i + 1) * ldc + j), c10, accumulate);
      store4(at(c, (i + 1) * ldc + j + 4), c11, accumulate);
      store4(at(c, (i + 2) * ldc + j), c20, accumulate);
      store4(at(c, (i + 2) * ldc + j + 4), c21, accumulate);
      store4(at(c, (i + 3) * ldc + j), c30, accumulate);
      store4(at(c, (i + 3) * ldc + j + 4), c31, accumulate);
    }
    for (let r = i; r < i + 4; r++) gemmRowTail(r, j, n, k, a, ars, acs, b, ldb, c, ldc, accumulate);
  }
  for (; i < m; i++) gemmRowTail(i, 0, n, k, a, ars, acs, b, ldb, c, ldc, accumulate);
}

@inline
function store4(ptr: usize, v: v128, accumulate: i32): void {
  v128.store(ptr, accumulate ? f32x4.add(v128.load(ptr), v) : v);
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
  accumulate: i32,
): void {
  let j = j0;
  for (; j + 4 <= n; j += 4) {
    let acc = f32x4.splat(0);
    for (let p = 0; p < k; p++) {
      const av = f32x4.splat(load<f32>(at(a, i * ars + p * acs)));
      acc = f32x4.add(acc, f32x4.mul(av, v128.load(at(b, p * ldb + j))));
    }
    store4(at(c, i * ldc + j), acc, accumulate);
  }
  for (; j < n; j++) {
    let acc: f32 = 0;
    for (let p = 0; p < k; p++) acc += load<f32>(at(a, i * ars + p * acs)) * load<f32>(at(b, p * ldb + j));
    const cp = at(c, i * ldc + j);
    store<f32>(cp, accumulate ? load<f32>(cp) + acc : acc);
  }
}

/**
 * C = A·Bᵀ (+ C when `accumulate`): C[i, j] = Σ_p A[i, p]·B[j, p] with A `[m × k]` (row stride
 * lda) and B `[n × k]` (row stride ldb). Vectorised along the shared dimension k, which is long
 * (coordinates or rows) wherever this is used.
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
  const kv = k & ~3;
  for (let i = 0; i < m; i++) {
    const ar = at(a, i * lda);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = at(b, j * ldb);
      const b1 = at(b, (j + 1) * ldb);
      const b2 = at(b, (j + 2) * ldb);
      const b3 = at(b, (j + 3) * ldb);
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let s2 = f32x4.splat(0);
      let s3 = f32x4.splat(0);
      for (let p = 0; p < kv; p += 4) {
        const off = <usize>p << 2;
        const av = v128.load(ar + off);
        s0 = f32x4.add(s0, f32x4.mul(av, v128.load(b0 + off)));
        s1 = f32x4.add(s1, f32x4.mul(av, v128.load(b1 + off)));
        s2 = f32x4.add(s2, f32x4.mul(av, v128.load(b2 + off)));
        s3 = f32x4.add(s3, f32x4.mul(av, v128.load(b3 + off)));
      }
      let t0 = hsum(s0);
      let t1 = hsum(s1);
      let t2 = hsum(s2);
      let t3 = hsum(s3);
      for (let p = kv; p < k; p++) {
        const av = load<f32>(at(ar, p));
        t0 += av * load<f32>(at(b0, p));
        t1 += av * load<f32>(at(b1, p));
        t2 += av * load<f32>(at(b2, p));
        t3 += av * load<f32>(at(b3, p));
      }
      const cp = at(c, i * ldc + j);
      if (accumulate) {
        t0 += load<f32>(cp);
        t1 += load<f32>(cp, 4);
        t2 += load<f32>(cp, 8);
        t3 += load<f32>(cp, 12);
      }
      store<f32>(cp, t0);
      store<f32>(cp, t1, 4);
      store<f32>(cp, t2, 8);
      store<f32>(cp, t3, 12);
    }
    for (; j < n; j++) {
      const br = at(b, j * ldb);
      let s = f32x4.splat(0);
      for (let p = 0; p < kv; p += 4) {
        const off = <usize>p << 2;
        s = f32x4.add(s, f32x4.mul(v128.load(ar + off), v128.load(br + off)));
      }
      let t = hsum(s);
      for (let p = kv; p < k; p++) t += load<f32>(at(ar, p)) * load<f32>(at(br, p));
      const cp = at(c, i * ldc + j);
      store<f32>(cp, accumulate ? load<f32>(cp) + t : t);
    }
  }
}

/** out[i] (+)= Σ_j x[i, j] over an `[m × n]` matrix with row stride ld; out has stride os. */
export function rowSums(m: i32, n: i32, x: usize, ld: i32, out: usize, os: i32, accumulate: i32): void {
  const nv = n & ~3;
  for (let i = 0; i < m; i++) {
    const xr = at(x, i * ld);
    let s = f32x4.splat(0);
    for (let j = 0; j < nv; j += 4) s = f32x4.add(s, v128.load(xr + (<usize>j << 2)));
    let t = hsum(s);
    for (let j = nv; j < n; j++) t += load<f32>(at(xr, j));
    const op = at(out, i * os);
    store<f32>(op, accumulate ? load<f32>(op) + t : t);
  }
}

/** out[j] (+)= Σ_i x[i, j] over an `[m × n]` matrix with row stride ld. */
export function colSums(m: i32, n: i32, x: usize, ld: i32, out: usize, accumulate: i32): void {
  if (!accumulate) memory.fill(out, 0, <usize>n << 2);
  for (let i = 0; i < m; i++) addRow(n, at(x, i * ld), out);
}

/** y[j] += x[j] for j < n. */
export function addRow(n: i32, x: usize, y: usize): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const off = <usize>j << 2;
    v128.store(y + off, f32x4.add(v128.load(y + off), v128.load(x + off)));
  }
  for (; j < n; j++) store<f32>(at(y, j), load<f32>(at(y, j)) + load<f32>(at(x, j)));
}

/** Sets each row i of an `[m × n]` matrix (row stride ld) to bias[i·bs] (a column broadcast). */
export function fillRowsWith(m: i32, n: i32, c: usize, ld: i32, bias: usize, bs: i32): void {
  for (let i = 0; i < m; i++) {
    const v = load<f32>(at(bias, i * bs));
    const vv = f32x4.splat(v);
    const cr = at(c, i * ld);
    let j = 0;
    for (; j + 4 <= n; j += 4) v128.store(cr + (<usize>j << 2), vv);
    for (; j < n; j++) store<f32>(at(cr, j), v);
  }
}

/** Sets every row of an `[m × n]` matrix (row stride ld) to the row vector `bias`. */
export function fillColsWith(m: i32, n: i32, c: usize, ld: i32, bias: usize): void {
  for (let i = 0; i < m; i++) memory.copy(at(c, i * ld), bias, <usize>n << 2);
}

/** Copies an `[m × n]` block from src (row stride lds) to dst (row stride ldd). */
export function copy2d(m: i32, n: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  for (let i = 0; i < m; i++) memory.copy(at(dst, i * ldd), at(src, i * lds), <usize>n << 2);
}

/** dst `[n × m]` = srcᵀ for src `[m × n]` (row stride lds). */
export function transpose(m: i32, n: i32, src: usize, lds: i32, dst: usize): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) store<f32>(at(dst, j * m + i), load<f32>(at(src, i * lds + j)));
  }
}
