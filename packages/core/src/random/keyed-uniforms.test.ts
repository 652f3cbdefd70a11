import { describe, expect, it } from 'vitest';
import { chiSquareTest } from '../stats/chi-square.js';
import { drawUniformKey, keyedUniforms } from './keyed-uniforms.js';
import { Rng } from './rng.js';

const N = 1 << 20;
/** Two-sided 1e-3 quantile of the standard normal: each z-test below runs at α = 1e-3. */
const Z = 3.29;

describe('keyedUniforms', () => {
  const u = keyedUniforms(N, { lo: 2024, hi: 7 });

  it('is a function of the key, and a longer draw extends a shorter one', () => {
    expect(Array.from(keyedUniforms(1000, { lo: 2024, hi: 7 }))).toEqual(Array.from(u.subarray(0, 1000)));
    expect(Array.from(keyedUniforms(7, { lo: 2024, hi: 7 }))).toEqual(Array.from(u.subarray(0, 7)));
    const other = keyedUniforms(1000, { lo: 2024, hi: 8 });
    expect(other.filter((x, i) => x === u[i]).length).toBeLessThan(5);
  });

  it('draws two numbers from the stream per key, so consecutive draws differ', () => {
    const rng = new Rng('keys');
    const a = drawUniformKey(rng);
    const b = drawUniformKey(rng);
    expect(a).not.toEqual(b);
    expect(drawUniformKey(new Rng('keys'))).toEqual(a);
  });

  it('stays strictly inside (0, 1), at the 23-bit midpoints', () => {
    let min = 1;
    let max = 0;
    let offGrid = 0;
    for (const x of u) {
      min = Math.min(min, x);
      max = Math.max(max, x);
      if (!Number.isInteger(x * 2 ** 23 - 0.5)) offGrid++;
    }
    expect(offGrid).toBe(0);
    expect(min).toBeGreaterThanOrEqual(2 ** -24);
    expect(max).toBeLessThanOrEqual(1 - 2 ** -24);
  });

  it('has the mean and variance of U(0, 1) (z-tests, α = 1e-3 each)', () => {
    let sum = 0;
    let squares = 0;
    for (const x of u) {
      sum += x - 0.5;
      squares += (x - 0.5) ** 2;
    }
    // Var(U) = 1/12; Var((U − ½)²) = 1/80 − 1/144 = 1/180.
    expect(Math.abs(sum / N / Math.sqrt(1 / 12 / N))).toBeLessThan(Z);
    expect(Math.abs((squares / N - 1 / 12) / Math.sqrt(1 / 180 / N))).toBeLessThan(Z);
  });

  it('is uniform over 256 bins, and over the 4 lanes separately (chi-square, α = 1e-3)', () => {
    for (const lane of [null, 0, 1, 2, 3]) {
      const counts = new Array<number>(256).fill(0);
      u.forEach((x, i) => {
        if (lane === null || i % 4 === lane) counts[Math.floor(x * 256)]! += 1;
      });
      expect(chiSquareTest(counts, new Array(256).fill(1 / 256)).pValue, `lane ${lane}`).toBeGreaterThan(
        1e-3,
      );
    }
  });

  it('has no serial correlation at lags 1 to 8, within a lane or across lanes (z-tests, α = 1e-3 each)', () => {
    for (let lag = 1; lag <= 8; lag++) {
      let c = 0;
      for (let i = 0; i + lag < N; i++) c += (u[i]! - 0.5) * (u[i + lag]! - 0.5);
      // Each product has variance (1/12)²; the products of a lag are uncorrelated under the null.
      const z = c / (N - lag) / (1 / 12 / Math.sqrt(N - lag));
      expect(Math.abs(z), `lag ${lag}`).toBeLessThan(Z);
    }
  });
});
