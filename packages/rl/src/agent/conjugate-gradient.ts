/** Result of {@link conjugateGradient}. */
export interface ConjugateGradientResult {
  x: Float64Array;
  /** ‖A x − b‖ / ‖b‖ at the end (0 for b = 0). */
  residual: number;
  /** Iterations run (fewer than asked when the residual fell below the tolerance). */
  iterations: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * Solves A x = b for a symmetric positive-definite A given only as products v ↦ A v (Hestenes &
 * Stiefel 1952), from x = 0 (the products may be computed elsewhere, hence async), for at most `iterations` steps or until ‖r‖/‖b‖ < `tolerance`.
 */
export async function conjugateGradient(
  apply: (v: Float64Array) => Float64Array | Promise<Float64Array>,
  b: Float64Array,
  iterations: number,
  tolerance = 1e-10,
): Promise<ConjugateGradientResult> {
  const x = new Float64Array(b.length);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const bNorm = Math.sqrt(dot(b, b));
  if (bNorm === 0) return { x, residual: 0, iterations: 0 };
  let rr = dot(r, r);
  let done = 0;
  while (done < iterations && Math.sqrt(rr) / bNorm >= tolerance) {
    const ap = await apply(p);
    const alpha = rr / dot(p, ap);
    for (let i = 0; i < x.length; i++) {
      x[i]! += alpha * p[i]!;
      r[i]! -= alpha * ap[i]!;
    }
    const next = dot(r, r);
    const beta = next / rr;
    for (let i = 0; i < p.length; i++) p[i] = r[i]! + beta * p[i]!;
    rr = next;
    done++;
  }
  return { x, residual: Math.sqrt(rr) / bNorm, iterations: done };
}
