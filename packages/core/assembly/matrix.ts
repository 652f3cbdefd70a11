// Row and column sums, broadcasts, copies and transposes of float32 matrices on raw pointers
// (byte addresses, strides in elements), beside the products in gemm.ts.
import { hsum } from './math';

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
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
