// Elementwise parts of a GRU step over a batch, forward and backward. Each step's gate activations
// live in one `[B × 3H]` block (z, r, n side by side in a row); hidden states are `[B × H]`.
import { sigmoid1, sigmoidv, tanh1, tanhv } from './math';

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** z, r = σ(preactivation) in place on the first 2H columns of each row of act `[B × 3H]`. */
export function gruGatesForward(batch: i32, hidden: i32, act: usize): void {
  const width = 2 * hidden;
  for (let b = 0; b < batch; b++) {
    const row = at(act, b * 3 * hidden);
    let j = 0;
    for (; j + 4 <= width; j += 4) v128.store(row + (<usize>j << 2), sigmoidv(v128.load(row + (<usize>j << 2))));
    for (; j < width; j++) store<f32>(at(row, j), sigmoid1(load<f32>(at(row, j))));
  }
}

/** rh = r ⊙ h. */
export function gruResetHidden(batch: i32, hidden: i32, act: usize, h: usize, rh: usize): void {
  for (let b = 0; b < batch; b++) {
    const r = at(act, b * 3 * hidden + hidden);
    const hb = at(h, b * hidden);
    const out = at(rh, b * hidden);
    let j = 0;
    for (; j + 4 <= hidden; j += 4) {
      const off = <usize>j << 2;
      v128.store(out + off, f32x4.mul(v128.load(r + off), v128.load(hb + off)));
    }
    for (; j < hidden; j++) store<f32>(at(out, j), load<f32>(at(r, j)) * load<f32>(at(hb, j)));
  }
}

/** n = tanh(preactivation) in place on the last H columns, and h' = h + z ⊙ (n − h). */
export function gruCandidateForward(batch: i32, hidden: i32, act: usize, h: usize, hNext: usize): void {
  for (let b = 0; b < batch; b++) {
    const z = at(act, b * 3 * hidden);
    const n = at(z, 2 * hidden);
    const hb = at(h, b * hidden);
    const out = at(hNext, b * hidden);
    let j = 0;
    for (; j + 4 <= hidden; j += 4) {
      const off = <usize>j << 2;
      const nv = tanhv(v128.load(n + off));
      const hv = v128.load(hb + off);
      v128.store(n + off, nv);
      v128.store(out + off, f32x4.add(hv, f32x4.mul(v128.load(z + off), f32x4.sub(nv, hv))));
    }
    for (; j < hidden; j++) {
      const nv = tanh1(load<f32>(at(n, j)));
      const hv = load<f32>(at(hb, j));
      store<f32>(at(n, j), nv);
      store<f32>(at(out, j), hv + load<f32>(at(z, j)) * (nv - hv));
    }
  }
}

/**
 * First half of the adjoint: from dh (the gradient reaching h') writes ∂a_z and ∂a_n into
 * dAct `[B × 3H]` and dPrev = dh ⊙ (1 − z), the direct part of the gradient reaching h.
 */
export function gruCandidateBackward(
  batch: i32,
  hidden: i32,
  act: usize,
  h: usize,
  dh: usize,
  dAct: usize,
  dPrev: usize,
): void {
  const one = f32x4.splat(1);
  for (let b = 0; b < batch; b++) {
    const z = at(act, b * 3 * hidden);
    const n = at(z, 2 * hidden);
    const hb = at(h, b * hidden);
    const dhb = at(dh, b * hidden);
    const daz = at(dAct, b * 3 * hidden);
    const dan = at(daz, 2 * hidden);
    const dp = at(dPrev, b * hidden);
    let j = 0;
    for (; j + 4 <= hidden; j += 4) {
      const off = <usize>j << 2;
      const zv = v128.load(z + off);
      const nv = v128.load(n + off);
      const d = v128.load(dhb + off);
      const dn = f32x4.mul(d, zv);
      v128.store(dan + off, f32x4.mul(dn, f32x4.sub(one, f32x4.mul(nv, nv))));
      const dz = f32x4.mul(d, f32x4.sub(nv, v128.load(hb + off)));
      v128.store(daz + off, f32x4.mul(dz, f32x4.mul(zv, f32x4.sub(one, zv))));
      v128.store(dp + off, f32x4.sub(d, dn));
    }
    for (; j < hidden; j++) {
      const zv = load<f32>(at(z, j));
      const nv = load<f32>(at(n, j));
      const d = load<f32>(at(dhb, j));
      const dn = d * zv;
      store<f32>(at(dan, j), dn * (1 - nv * nv));
      store<f32>(at(daz, j), d * (nv - load<f32>(at(hb, j))) * (zv * (1 - zv)));
      store<f32>(at(dp, j), d - dn);
    }
  }
}

/**
 * Second half: from dRh = ∂a_n·U_nᵀ (the gradient reaching r ⊙ h) writes ∂a_r into dAct and adds
 * dRh ⊙ r to dPrev.
 */
export function gruResetBackward(
  batch: i32,
  hidden: i32,
  act: usize,
  h: usize,
  dRh: usize,
  dAct: usize,
  dPrev: usize,
): void {
  const one = f32x4.splat(1);
  for (let b = 0; b < batch; b++) {
    const r = at(act, b * 3 * hidden + hidden);
    const hb = at(h, b * hidden);
    const drh = at(dRh, b * hidden);
    const dar = at(dAct, b * 3 * hidden + hidden);
    const dp = at(dPrev, b * hidden);
    let j = 0;
    for (; j + 4 <= hidden; j += 4) {
      const off = <usize>j << 2;
      const rv = v128.load(r + off);
      const d = v128.load(drh + off);
      v128.store(dar + off, f32x4.mul(f32x4.mul(d, v128.load(hb + off)), f32x4.mul(rv, f32x4.sub(one, rv))));
      v128.store(dp + off, f32x4.add(v128.load(dp + off), f32x4.mul(d, rv)));
    }
    for (; j < hidden; j++) {
      const rv = load<f32>(at(r, j));
      const d = load<f32>(at(drh, j));
      store<f32>(at(dar, j), d * load<f32>(at(hb, j)) * (rv * (1 - rv)));
      store<f32>(at(dp, j), load<f32>(at(dp, j)) + d * rv);
    }
  }
}

/** y = max(y, 0) elementwise; NaN stays NaN. */
export function relu(size: i32, y: usize): void {
  for (let j = 0; j < size; j++) {
    const v = load<f32>(at(y, j));
    if (v < 0) store<f32>(at(y, j), 0);
  }
}

/** d ← d ⊙ [y > 0] (the ReLU's adjoint, from its output y). */
export function reluBackward(size: i32, y: usize, d: usize): void {
  for (let j = 0; j < size; j++) {
    if (!(load<f32>(at(y, j)) > 0)) store<f32>(at(d, j), 0);
  }
}
