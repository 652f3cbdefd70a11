// Vectorised transcendental functions on four float32 lanes.

// Cephes-style expf: exp(x) = 2^n · e^r with n = round(x / ln 2), |r| ≤ ln2 / 2, and a degree-7
// polynomial for e^r (about 1 ulp). Arguments are clamped so 2^n stays representable; the clamp
// uses f32x4.min/max, which propagate NaN, so exp(NaN) = NaN.
@inline
export function expv(x: v128): v128 {
  const hi = f32x4.splat(88.3762626647949);
  const lo = f32x4.splat(-88.3762626647949);
  const xc = f32x4.max(f32x4.min(x, hi), lo);
  const n = f32x4.floor(f32x4.add(f32x4.mul(xc, f32x4.splat(1.44269504088896341)), f32x4.splat(0.5)));
  let r = f32x4.sub(xc, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1.0));
  // n ∈ [−127, 128]: 2^n built in the exponent field; 2^128 becomes +Inf, 2^−127 becomes 0.
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
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
