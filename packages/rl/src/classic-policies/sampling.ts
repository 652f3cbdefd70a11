import type { Rng } from '@metagrad/core';

/** Gamma(shape, 1) draw for shape ≥ 1 (Marsaglia & Tsang 2000); shape < 1 uses the boost u^(1/shape). */
export function sampleGamma(shape: number, rng: Rng): number {
  if (shape < 1) return sampleGamma(shape + 1, rng) * (1 - rng.next()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Beta(a, b) draw. */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  const x = sampleGamma(a, rng);
  const y = sampleGamma(b, rng);
  return x / (x + y);
}

/** Index of the largest value in `values[offset .. offset + n)`, ties broken uniformly at random. */
export function argmaxRandomTie(values: ArrayLike<number>, offset: number, n: number, rng: Rng): number {
  let best = -Infinity;
  let chosen = 0;
  let ties = 0;
  for (let j = 0; j < n; j++) {
    const v = values[offset + j]!;
    if (v > best) {
      best = v;
      chosen = j;
      ties = 1;
    } else if (v === best) {
      ties++;
      if (rng.next() * ties < 1) chosen = j;
    }
  }
  return chosen;
}
