// Vectorised transcendental functions on four float32 lanes.

// Cephes-style expf: exp(x) = 2^n · e^r with n = round(x / ln 2), |r| ≤ ln2 / 2, and a degree-7
// polynomial for e^r (about 1 ulp). Arguments are clamped so 2^n stays representable. The clamp
// uses pmin/pmax with x first, one instruction each on x86 (min/max are several), which return x
// when it is NaN, so exp(NaN) = NaN.
@inline
export function expv(x: v128): v128 {
  const hi = f32x4.splat(88.3762626647949);
  const lo = f32x4.splat(-88.3762626647949);
  const xc = f32x4.pmax(f32x4.pmin(x, hi), lo);
  const n = f32x4.floor(f32x4.add(f32x4.mul(xc, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  // n ∈ [−127, 128] is an integer, so n + 1.5·2²³ holds it exactly in its low mantissa bits: an
  // integer subtraction converts it (a saturating conversion is several instructions on x86).
  const magic = f32x4.splat(12582912.0);
  const integer = i32x4.sub(f32x4.add(n, magic), magic);
  // 2^n built in the exponent field; 2^128 becomes +Inf, 2^−127 becomes 0.
  const pow2n = i32x4.shl(i32x4.add(integer, i32x4.splat(127)), 23);
  return expScaled(xc, n, pow2n);
}

/**
 * 2^n · e^r with r = x − n·ln 2 (ln 2 in two parts), for x and the integer-valued n = round(x / ln 2)
 * with `pow2n` = 2^n: the shared end of {@link expv} and the softmax's exp of non-positive values.
 */
@inline
export function expScaled(x: v128, n: v128, pow2n: v128): v128 {
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = madd(p, r, f32x4.splat(1.3981999507e-3));
  p = madd(p, r, f32x4.splat(8.3334519073e-3));
  p = madd(p, r, f32x4.splat(4.1665795894e-2));
  p = madd(p, r, f32x4.splat(1.6666665459e-1));
  p = madd(p, r, f32x4.splat(5.0000001201e-1));
  p = f32x4.add(madd(p, f32x4.mul(r, r), r), f32x4.splat(1.0));
  return f32x4.mul(p, pow2n);
}

/** σ(x) = 1 / (1 + e^−x). */
@inline
export function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1.0);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

/** tanh(x) = 2σ(2x) − 1, the same formula as @metagrad/core's fastTanh. */
@inline
export function tanhv(x: v128): v128 {
  const one = f32x4.splat(1.0);
  const two = f32x4.splat(2.0);
  return f32x4.sub(f32x4.mul(two, sigmoidv(f32x4.mul(x, two))), one);
}

/** Scalar σ for tails, through the vector path so both give identical bits. */
@inline
export function sigmoid1(x: f32): f32 {
  return f32x4.extract_lane(sigmoidv(f32x4.splat(x)), 0);
}

@inline
export function tanh1(x: f32): f32 {
  return f32x4.extract_lane(tanhv(f32x4.splat(x)), 0);
}

// log x for positive normal floats (within about 2 ulp), as in musl's logf reduction: x = m·2^e with
// m ∈ [√½, √2) taken straight from the bits, then log m = 2·atanh(t) with t = (m − 1)/(m + 1),
// |t| ≤ 0.172, by its series to t^7 (the first term left out, t^8/9, is below 9e−8 relative). Zero,
// subnormal, negative or NaN inputs are the caller's to avoid (the Gumbel kernels pass values in
// [6e−8, 17] and mask out the rest).
@inline
export function logv(x: v128): v128 {
  // Subtracting √½'s bits puts m ∈ [√½, √2) in the mantissa and e in the exponent field.
  const shifted = i32x4.sub(x, i32x4.splat(0x3f3504f3));
  const e = f32x4.convert_i32x4_s(i32x4.shr_s(shifted, 23));
  const m = i32x4.sub(x, v128.and(shifted, i32x4.splat(0xff800000)));
  const t = f32x4.div(f32x4.sub(m, f32x4.splat(1.0)), f32x4.add(m, f32x4.splat(1.0)));
  const t2 = f32x4.mul(t, t);
  let p = f32x4.splat(0.14285714285714285);
  p = f32x4.add(f32x4.mul(p, t2), f32x4.splat(0.2));
  p = f32x4.add(f32x4.mul(p, t2), f32x4.splat(0.3333333333333333));
  const twoT = f32x4.add(t, t);
  const logM = f32x4.add(twoT, f32x4.mul(f32x4.mul(twoT, t2), p));
  // e·ln 2 in two parts, so the sum keeps the bits of log m for x near 1.
  return f32x4.add(f32x4.mul(e, f32x4.splat(0.693359375)), f32x4.add(logM, f32x4.mul(e, f32x4.splat(-2.12194440e-4))));
}

/** The sum of the four lanes, as (x0 + x1) + (x2 + x3). */
@inline
export function hsum(v: v128): f32 {
  return (
    f32x4.extract_lane(v, 0) +
    f32x4.extract_lane(v, 1) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3))
  );
}

// c + a·b in each lane. Built with relaxed SIMD, one fused multiply-add where the CPU has one
// (a single rounding); otherwise a multiply then an add, whose bits every machine repeats.
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * (1 + 2⁻¹³)² − (1 + 2⁻¹²) through {@link madd}: 2⁻²⁶ when it fuses (the product is exact), 0
 * when the product is rounded first. The host asks this to learn which arithmetic it runs.
 */
export function fusedMultiplyAddProbe(): f32 {
  const a = f32x4.splat(<f32>1.0001220703125);
  return f32x4.extract_lane(madd(a, a, f32x4.splat(<f32>-1.000244140625)), 0);
}
