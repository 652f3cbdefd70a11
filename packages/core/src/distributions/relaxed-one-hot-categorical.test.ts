import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { ConfigError } from '../validation/config-error.js';
import {
  ExpRelaxedOneHotCategorical,
  RelaxedOneHotCategorical,
  StraightThroughRelaxedOneHotCategorical,
} from './relaxed-one-hot-categorical.js';

/** Float64 Concrete density of Maddison et al. (2017), eq. (1), written straight from the paper. */
function concreteLogDensity64(x: number[], logits: number[], tau: number): number {
  const n = x.length;
  let logFact = 0;
  for (let i = 2; i < n; i++) logFact += Math.log(i);
  let denom = 0;
  let numer = 0;
  for (let k = 0; k < n; k++) {
    const alpha = Math.exp(logits[k]!);
    numer += Math.log(alpha) + (-tau - 1) * Math.log(x[k]!);
    denom += alpha * x[k]! ** -tau;
  }
  return logFact + (n - 1) * Math.log(tau) + numer - n * Math.log(denom);
}

const LOGITS = [
  [0.5, -1.0, 0.2],
  [2.0, 0.0, -1.0],
  [0.0, 0.0, 0.0],
];

describe('RelaxedOneHotCategorical and ExpRelaxedOneHotCategorical', () => {
  for (const tau of [0.5, 1, 2]) {
    it(`Concrete log-density matches a float64 reference at τ = ${tau}`, () => {
      const logits = tf.tensor2d(LOGITS);
      const dist = new RelaxedOneHotCategorical(tau, logits);
      const x = dist.sample(new Rng(`density-${tau}`));
      const ours = dist.logProb(x).dataSync();
      const xs = x.arraySync() as number[][];
      xs.forEach((row, i) => {
        // Use the float32 sample itself, renormalised in float64, as the reference point.
        const sum = row.reduce((a, b) => a + b, 0);
        const ref = concreteLogDensity64(
          row.map((v) => v / sum),
          LOGITS[i]!,
          tau,
        );
        expect(Math.abs(ours[i]! - ref)).toBeLessThan(2e-3 * Math.max(1, Math.abs(ref)));
      });
      tf.dispose([logits, x]);
    });
  }

  it('ExpConcrete log-density equals the Concrete density at log x plus Σ log x (change of variables)', () => {
    const logits = tf.tensor2d(LOGITS);
    const tau = 0.7;
    const expDist = new ExpRelaxedOneHotCategorical(tau, logits);
    const y = expDist.sample(new Rng('exp'));
    const x = tf.exp(y);
    const viaExp = expDist.logProb(y).dataSync();
    const viaConcrete = tf
      .add(new RelaxedOneHotCategorical(tau, logits).logProb(x), tf.sum(y, -1))
      .dataSync();
    for (let i = 0; i < viaExp.length; i++) expect(viaExp[i]).toBeCloseTo(viaConcrete[i]!, 3);
  });

  it('Concrete density integrates to 1 over the 2-category simplex (numerical quadrature)', () => {
    // For n = 2 the density is with respect to x1 on (0, 1). Substitute x1 = σ(t),
    // dx1 = σ(t)σ(−t) dt, so the integrable endpoint singularities at τ < 1 become smooth tails.
    const tau = 0.6;
    const logits = [0.4, -0.3];
    const n = 40_000;
    const lo = -60;
    const dt = 120 / n;
    const ts = Array.from({ length: n }, (_, i) => lo + (i + 0.5) * dt);
    const integrand = tf.tidy(() => {
      const t = tf.tensor1d(ts);
      const x1 = tf.sigmoid(t).reshape([n, 1]);
      const x = tf.concat([x1, tf.sigmoid(tf.neg(t)).reshape([n, 1])], 1);
      const logP = new RelaxedOneHotCategorical(tau, tf.tensor2d(Array(n).fill(logits))).logProb(x);
      return tf.exp(tf.add(logP, tf.add(tf.logSigmoid(t), tf.logSigmoid(tf.neg(t)))));
    });
    let integral = 0;
    for (const v of integrand.dataSync()) if (Number.isFinite(v)) integral += v * dt;
    integrand.dispose();
    expect(integral).toBeCloseTo(1, 3);
  });

  it('is reparameterised: gradients reach the logits and the temperature', () => {
    const logits = tf.tensor2d([[0.1, 0.2, -0.3]]);
    const w = tf.tensor2d([[1, -2, 0.5]]);
    const [gLogits, gTau] = tf.grads((l: tf.Tensor, t: tf.Tensor) =>
      tf.sum(tf.mul(new RelaxedOneHotCategorical(t as tf.Scalar, l).sample(new Rng('rep')), w)),
    )([logits, tf.scalar(0.9)]);
    expect(tf.sum(tf.abs(gLogits!)).dataSync()[0]).toBeGreaterThan(0);
    expect(Math.abs(gTau!.dataSync()[0]!)).toBeGreaterThan(0);
  });

  it('straight-through variant samples exact one-hots scored by the categorical log-mass', () => {
    const logits = tf.tensor2d([[1.0, 0.0, -1.0]]);
    const dist = new StraightThroughRelaxedOneHotCategorical(0.5, logits);
    const y = dist.sample(new Rng('st'), [200]);
    const rows = y.arraySync() as number[][][];
    for (const [row] of rows) expect([...row!].sort()).toEqual([0, 0, 1]);
    const logProb = dist.logProb(tf.tensor2d([[0, 1, 0]])).dataSync()[0]!;
    const expected = 0 - Math.log(Math.exp(1) + 1 + Math.exp(-1));
    expect(logProb).toBeCloseTo(expected, 5);
  });

  it('rejects a non-positive temperature with an error naming it', () => {
    expect(() => new RelaxedOneHotCategorical(0, tf.zeros([3]))).toThrow(ConfigError);
    expect(() => new RelaxedOneHotCategorical(-2, tf.zeros([3]))).toThrow(/invalid temperature: -2/);
  });
});
