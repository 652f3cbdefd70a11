// Uniform noise and the Gumbel-softmax relaxation, forward and backward, on `[rows × cols]`
// row-major matrices (categories contiguous).
import { expScaled, logv } from './math';

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** SplitMix64 (Steele et al. 2014): spreads one 64-bit key over the generator's sixteen state words. */
@inline
function splitMix64(x: u64): u64 {
  let z = x;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/**
 * SplitMix64 on the key's `counter`-th step. A lane whose state is all zero would emit zeros forever:
 * SplitMix64 is a bijection, so at most one counter gives 0, and the callers' `| 1` rules that out.
 */
@inline
function seedWords(key: u64, counter: u64): u64 {
  return splitMix64(key + counter * 0x9e3779b97f4a7c15);
}

/** Four 32-bit words, the low halves of the arguments, as the lanes of a vector. */
@inline
function lanes(w0: u64, w1: u64, w2: u64, w3: u64): v128 {
  let v = i32x4.splat(<i32>w0);
  v = i32x4.replace_lane(v, 1, <i32>w1);
  v = i32x4.replace_lane(v, 2, <i32>w2);
  return i32x4.replace_lane(v, 3, <i32>w3);
}

/**
 * `n` float32 uniforms strictly inside (0, 1), from four xoshiro128+ generators (Blackman and
 * Vigna 2018) run in the four SIMD lanes: element i comes from lane i mod 4. The top 23 bits of
 * each output make `(k + ½)·2^−23`, so the smallest value is 2^−24 and the largest 1 − 2^−24,
 * both exact in float32; xoshiro128+'s weak low bits are dropped. The stream depends only on the
 * key (`seedLo`, `seedHi`).
 */
export function uniforms(n: i32, out: usize, seedLo: u32, seedHi: u32): void {
  const key: u64 = (<u64>seedHi << 32) | <u64>seedLo;
  // Lane l's four state words are the halves of SplitMix64 on counters 2l + 1 and 2l + 2.
  const a0 = seedWords(key, 1);
  const b0 = seedWords(key, 2);
  const a1 = seedWords(key, 3);
  const b1 = seedWords(key, 4);
  const a2 = seedWords(key, 5);
  const b2 = seedWords(key, 6);
  const a3 = seedWords(key, 7);
  const b3 = seedWords(key, 8);
  let s0 = lanes(a0 | 1, a1 | 1, a2 | 1, a3 | 1);
  let s1 = lanes(a0 >> 32, a1 >> 32, a2 >> 32, a3 >> 32);
  let s2 = lanes(b0, b1, b2, b3);
  let s3 = lanes(b0 >> 32, b1 >> 32, b2 >> 32, b3 >> 32);
  const scale = f32x4.splat(1.1920928955078125e-7); // 2^−23
  const half = f32x4.splat(5.9604644775390625e-8); // 2^−24
  const vectors = (n + 3) >> 2;
  for (let v = 0; v < vectors; v++) {
    const bits = i32x4.add(s0, s3);
    const t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t);
    s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    // Below 2^23 the signed conversion (one instruction on x86) is exact.
    const u = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(bits, 9)), scale), half);
    const i = v << 2;
    if (i + 4 <= n) {
      v128.store(at(out, i), u);
    } else {
      store<f32>(at(out, i), f32x4.extract_lane(u, 0));
      if (i + 1 < n) store<f32>(at(out, i + 1), f32x4.extract_lane(u, 1));
      if (i + 2 < n) store<f32>(at(out, i + 2), f32x4.extract_lane(u, 2));
    }
  }
}

/**
 * e^x for the softmax's x = a − max(a) ≤ 0 (−∞ and NaN included), as `expv` computes it but
 * with cheaper instructions where the range allows: a one-sided clamp with `pmax`, and rounding
 * by adding 1.5·2^23, which leaves round(x·log₂e) in the low bits (no floor, no saturating
 * conversion, both many instructions on x86). Below −88.38 the result is 0, as 2^−127 is flushed.
 */
@inline
function expNonPositive(x: v128): v128 {
  const magic = f32x4.splat(12582912.0);
  const xc = f32x4.pmax(x, f32x4.splat(-88.3762626647949));
  const shifted = f32x4.add(f32x4.mul(xc, f32x4.splat(1.44269504088896341)), magic);
  const n = f32x4.sub(shifted, magic);
  // round(x·log₂e) sits in the low mantissa bits of `shifted`; 2^n is built in the exponent field.
  const pow2n = i32x4.shl(i32x4.add(i32x4.sub(shifted, magic), i32x4.splat(127)), 23);
  return expScaled(xc, n, pow2n);
}

/** −log(−log u): standard Gumbel noise from uniforms in (0, 1). */
@inline
function gumbelv(u: v128): v128 {
  return f32x4.neg(logv(f32x4.neg(logv(u))));
}

/**
 * The Gumbel-softmax sample y = softmax((logits + G) / τ) per row, with G drawn by {@link uniforms}
 * from the key; where `hard` is not 0, also the one-hot of each row's argmax (the first of equal
 * maxima) at `hard`.
 */
export function gumbelSoftmaxForward(
  rows: i32,
  cols: i32,
  logits: usize,
  y: usize,
  hard: usize,
  invTemperature: f32,
  seedLo: u32,
  seedHi: u32,
): void {
  uniforms(rows * cols, y, seedLo, seedHi);
  const invTau = f32x4.splat(invTemperature);
  for (let r = 0; r < rows; r++) {
    const row = at(y, r * cols);
    const x = at(logits, r * cols);
    // (logits + G) / τ in place of the uniforms, and its maximum.
    let vmax = f32x4.splat(-Infinity);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const a = f32x4.mul(f32x4.add(v128.load(at(x, j)), gumbelv(v128.load(at(row, j)))), invTau);
      v128.store(at(row, j), a);
      vmax = f32x4.pmax(vmax, a);
    }
    for (; j < cols; j++) {
      const a = f32x4.mul(f32x4.add(f32x4.splat(load<f32>(at(x, j))), gumbelv(f32x4.splat(load<f32>(at(row, j))))), invTau);
      store<f32>(at(row, j), f32x4.extract_lane(a, 0));
      vmax = f32x4.pmax(vmax, a);
    }
    const max = Mathf.max(
      Mathf.max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)),
      Mathf.max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)),
    );
    if (hard != 0) {
      let best = 0;
      while (best < cols - 1 && load<f32>(at(row, best)) != max) best++;
      const oneHot = at(hard, r * cols);
      memory.fill(oneHot, 0, <usize>cols << 2);
      store<f32>(at(oneHot, best), 1);
    }
    const shift = f32x4.splat(max);
    let sum = f32x4.splat(0);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      const e = expNonPositive(f32x4.sub(v128.load(at(row, j)), shift));
      v128.store(at(row, j), e);
      sum = f32x4.add(sum, e);
    }
    let total: f32 =
      f32x4.extract_lane(sum, 0) + f32x4.extract_lane(sum, 1) + f32x4.extract_lane(sum, 2) + f32x4.extract_lane(sum, 3);
    for (; j < cols; j++) {
      const e = f32x4.extract_lane(expNonPositive(f32x4.splat(load<f32>(at(row, j)) - max)), 0);
      store<f32>(at(row, j), e);
      total += e;
    }
    const inv: f32 = 1 / total;
    const invv = f32x4.splat(inv);
    j = 0;
    for (; j + 4 <= cols; j += 4) v128.store(at(row, j), f32x4.mul(v128.load(at(row, j)), invv));
    for (; j < cols; j++) store<f32>(at(row, j), load<f32>(at(row, j)) * inv);
  }
}

/**
 * The adjoint of {@link gumbelSoftmaxForward} through the soft sample y: with s = Σ_j dy_j·y_j per
 * row, dlogits = y ⊙ (dy − s) / τ. Returns dL/dτ = −Σ dlogits ⊙ log y (0 unless `temperatureGrad`),
 * which equals −Σ dlogits ⊙ (logits + G) / τ because each row of y ⊙ (dy − s) sums to zero; terms with
 * y below the smallest normal float contribute their limit 0.
 */
export function gumbelSoftmaxBackward(
  rows: i32,
  cols: i32,
  y: usize,
  dy: usize,
  dLogits: usize,
  invTemperature: f32,
  temperatureGrad: i32,
): f32 {
  const invTau = f32x4.splat(invTemperature);
  const tiny = f32x4.splat(1.1754943508222875e-38);
  let dTau: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const yr = at(y, r * cols);
    const dyr = at(dy, r * cols);
    const dr = at(dLogits, r * cols);
    let dot = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= cols; j += 4) dot = f32x4.add(dot, f32x4.mul(v128.load(at(yr, j)), v128.load(at(dyr, j))));
    let s: f32 =
      f32x4.extract_lane(dot, 0) + f32x4.extract_lane(dot, 1) + f32x4.extract_lane(dot, 2) + f32x4.extract_lane(dot, 3);
    for (; j < cols; j++) s += load<f32>(at(yr, j)) * load<f32>(at(dyr, j));
    const sv = f32x4.splat(s);
    let tauTerms = f32x4.splat(0);
    j = 0;
    for (; j + 4 <= cols; j += 4) {
      const yv = v128.load(at(yr, j));
      const d = f32x4.mul(f32x4.mul(yv, f32x4.sub(v128.load(at(dyr, j)), sv)), invTau);
      v128.store(at(dr, j), d);
      if (temperatureGrad) {
        // log y where y is a normal float, else 0 (the terms' limit); logv of 0 would be −∞·0.
        const normal = f32x4.ge(yv, tiny);
        tauTerms = f32x4.add(tauTerms, v128.and(f32x4.mul(d, logv(yv)), normal));
      }
    }
    for (; j < cols; j++) {
      const yv = load<f32>(at(yr, j));
      const d = yv * (load<f32>(at(dyr, j)) - s) * invTemperature;
      store<f32>(at(dr, j), d);
      if (temperatureGrad && yv >= 1.1754943508222875e-38)
        dTau += <f64>(d * f32x4.extract_lane(logv(f32x4.splat(yv)), 0));
    }
    if (temperatureGrad)
      dTau +=
        <f64>f32x4.extract_lane(tauTerms, 0) +
        <f64>f32x4.extract_lane(tauTerms, 1) +
        <f64>f32x4.extract_lane(tauTerms, 2) +
        <f64>f32x4.extract_lane(tauTerms, 3);
  }
  return <f32>-dTau;
}
