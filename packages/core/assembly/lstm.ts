// Elementwise parts of the coordinatewise LSTM optimizer step: LogAndSign preprocessing and the
// LSTM cell, forward and backward. Matrices are `[rows × N]` with N (coordinates) contiguous.
import { madd, sigmoid1, sigmoidv, tanh1, tanhv } from './math';

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/**
 * LogAndSign (Andrychowicz et al. 2016): features[0, j] = log(max(|g|, e^−k)) / k and
 * features[1, j] = clip(e^k·g, −1, 1). NaN stays NaN in both rows.
 */
export function logAndSignForward(n: i32, g: usize, features: usize, k: f32): void {
  const floor = Mathf.exp(-k);
  const scale = Mathf.exp(k);
  const invK: f32 = 1 / k;
  for (let j = 0; j < n; j++) {
    const v = load<f32>(at(g, j));
    const mag = Mathf.abs(v);
    const logPart: f32 = mag != mag ? mag : Mathf.log(mag >= floor ? mag : floor) * invK;
    const s = v * scale;
    const signPart: f32 = s != s ? s : s > 1 ? 1 : s < -1 ? -1 : s;
    store<f32>(at(features, j), logPart);
    store<f32>(at(features, n + j), signPart);
  }
}

/** dg from dfeatures `[2 × N]`, with the subgradients tfjs's maximum, abs and clip use. */
export function logAndSignBackward(n: i32, g: usize, dFeatures: usize, dg: usize, k: f32): void {
  const floor = Mathf.exp(-k);
  const scale = Mathf.exp(k);
  const invK: f32 = 1 / k;
  for (let j = 0; j < n; j++) {
    const v = load<f32>(at(g, j));
    const mag = Mathf.abs(v);
    const dLog = load<f32>(at(dFeatures, j));
    const dSign = load<f32>(at(dFeatures, n + j));
    const m: f32 = mag >= floor ? mag : floor;
    let d: f32 = 0;
    // The log row: d/dg log(max(|g|, e^−k))/k, passed where |g| ≥ e^−k; abs′(g) is 1 for g > 0, else −1.
    const logTerm: f32 = ((dLog * invK) / m) * (mag >= floor ? 1 : 0);
    d += v > 0 ? logTerm : -logTerm;
    const s = v * scale;
    d += s >= -1 && s <= 1 ? dSign * scale : 0;
    // NaN inputs give NaN gradients, as the composite's masks multiply NaN through.
    store<f32>(at(dg, j), v != v ? v : d);
  }
}

/**
 * The LSTM cell on preactivations a `[4H × N]` (input, forget, output, candidate rows), in place:
 * a becomes the activations i, f, o, g; c' = f·c + i·g, tanhC = tanh(c'), h' = o·tanhC.
 */
export function lstmCellForward(size: i32, a: usize, cPrev: usize, cNext: usize, tanhC: usize, hNext: usize): void {
  const ai = a;
  const af = at(a, size);
  const ao = at(a, 2 * size);
  const ag = at(a, 3 * size);
  let j = 0;
  for (; j + 4 <= size; j += 4) {
    const off = <usize>j << 2;
    const i = sigmoidv(v128.load(ai + off));
    const f = sigmoidv(v128.load(af + off));
    const o = sigmoidv(v128.load(ao + off));
    const g = tanhv(v128.load(ag + off));
    const c = madd(f, v128.load(cPrev + off), f32x4.mul(i, g));
    const tc = tanhv(c);
    v128.store(ai + off, i);
    v128.store(af + off, f);
    v128.store(ao + off, o);
    v128.store(ag + off, g);
    v128.store(cNext + off, c);
    v128.store(tanhC + off, tc);
    v128.store(hNext + off, f32x4.mul(o, tc));
  }
  for (; j < size; j++) {
    const i = sigmoid1(load<f32>(at(ai, j)));
    const f = sigmoid1(load<f32>(at(af, j)));
    const o = sigmoid1(load<f32>(at(ao, j)));
    const g = tanh1(load<f32>(at(ag, j)));
    const c = f * load<f32>(at(cPrev, j)) + i * g;
    const tc = tanh1(c);
    store<f32>(at(ai, j), i);
    store<f32>(at(af, j), f);
    store<f32>(at(ao, j), o);
    store<f32>(at(ag, j), g);
    store<f32>(at(cNext, j), c);
    store<f32>(at(tanhC, j), tc);
    store<f32>(at(hNext, j), o * tc);
  }
}

/**
 * Adjoint of {@link lstmCellForward}: from dh and dc (the gradient reaching c' from the next step)
 * writes da `[4H × N]` and overwrites dc with the gradient of c_prev.
 */
export function lstmCellBackward(
  size: i32,
  act: usize,
  tanhC: usize,
  cPrev: usize,
  dh: usize,
  dc: usize,
  da: usize,
): void {
  const one = f32x4.splat(1);
  let j = 0;
  for (; j + 4 <= size; j += 4) {
    const off = <usize>j << 2;
    const i = v128.load(act + off);
    const f = v128.load(at(act, size) + off);
    const o = v128.load(at(act, 2 * size) + off);
    const g = v128.load(at(act, 3 * size) + off);
    const tc = v128.load(tanhC + off);
    const h = v128.load(dh + off);
    const c = f32x4.add(v128.load(dc + off), f32x4.mul(f32x4.mul(h, o), f32x4.sub(one, f32x4.mul(tc, tc))));
    v128.store(da + off, f32x4.mul(f32x4.mul(c, g), f32x4.mul(i, f32x4.sub(one, i))));
    v128.store(
      at(da, size) + off,
      f32x4.mul(f32x4.mul(c, v128.load(cPrev + off)), f32x4.mul(f, f32x4.sub(one, f))),
    );
    v128.store(at(da, 2 * size) + off, f32x4.mul(f32x4.mul(h, tc), f32x4.mul(o, f32x4.sub(one, o))));
    v128.store(at(da, 3 * size) + off, f32x4.mul(f32x4.mul(c, i), f32x4.sub(one, f32x4.mul(g, g))));
    v128.store(dc + off, f32x4.mul(c, f));
  }
  for (; j < size; j++) {
    const i = load<f32>(at(act, j));
    const f = load<f32>(at(act, size + j));
    const o = load<f32>(at(act, 2 * size + j));
    const g = load<f32>(at(act, 3 * size + j));
    const tc = load<f32>(at(tanhC, j));
    const h = load<f32>(at(dh, j));
    const c = load<f32>(at(dc, j)) + h * o * (1 - tc * tc);
    store<f32>(at(da, j), c * g * (i * (1 - i)));
    store<f32>(at(da, size + j), c * load<f32>(at(cPrev, j)) * (f * (1 - f)));
    store<f32>(at(da, 2 * size + j), h * tc * (o * (1 - o)));
    store<f32>(at(da, 3 * size + j), c * i * (1 - g * g));
    store<f32>(at(dc, j), c * f);
  }
}

/** y = o ⊙ t elementwise (h' recomputed from the saved output gate and tanh(c')). */
export function multiply(size: i32, o: usize, t: usize, y: usize): void {
  let j = 0;
  for (; j + 4 <= size; j += 4) {
    const off = <usize>j << 2;
    v128.store(y + off, f32x4.mul(v128.load(o + off), v128.load(t + off)));
  }
  for (; j < size; j++) store<f32>(at(y, j), load<f32>(at(o, j)) * load<f32>(at(t, j)));
}
