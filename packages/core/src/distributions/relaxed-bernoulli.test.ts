import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../random/rng.js';
import { RelaxedBernoulli, StraightThroughRelaxedBernoulli } from './relaxed-bernoulli.js';

/** Float64 binary Concrete density, Maddison et al. (2017) section 3.3. */
function binaryConcreteDensity64(x: number, logit: number, tau: number): number {
  const alpha = Math.exp(logit);
  const num = tau * alpha * x ** (-tau - 1) * (1 - x) ** (-tau - 1);
  const den = (alpha * x ** -tau + (1 - x) ** -tau) ** 2;
  return num / den;
}

describe('RelaxedBernoulli (binary Concrete)', () => {
  for (const [logit, tau] of [
    [0.3, 0.5],
    [-1.2, 1.0],
    [2.0, 2.0],
  ] as const) {
    it(`log-density matches a float64 reference (l = ${logit}, τ = ${tau})`, () => {
      const xs = [0.05, 0.2, 0.5, 0.77, 0.95];
      const ours = tf.tidy(() =>
        new RelaxedBernoulli(tau, tf.fill([xs.length], logit)).logProb(tf.tensor1d(xs)),
      );
      const values = ours.dataSync();
      xs.forEach((x, i) => {
        const ref = Math.log(binaryConcreteDensity64(x, logit, tau));
        expect(Math.abs(values[i]! - ref)).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref)));
      });
      ours.dispose();
    });

    it(`density integrates to 1 over (0, 1) (l = ${logit}, τ = ${tau})`, () => {
      // Substitute x = σ(t), dx = σ(t)(1 − σ(t)) dt, to handle the endpoint singularities at τ < 1.
      const n = 40_000;
      const lo = -60;
      const hi = 60;
      const dt = (hi - lo) / n;
      const ts = Array.from({ length: n }, (_, i) => lo + (i + 0.5) * dt);
      const integrand = tf.tidy(() => {
        const t = tf.tensor1d(ts);
        const x = tf.sigmoid(t);
        // log p(x) + log σ(t) + log σ(−t), evaluated through logProb on x.
        const logP = new RelaxedBernoulli(tau, tf.fill([n], logit)).logProb(x);
        return tf.exp(tf.add(logP, tf.add(tf.logSigmoid(t), tf.logSigmoid(tf.neg(t)))));
      });
      let integral = 0;
      for (const v of integrand.dataSync()) if (Number.isFinite(v)) integral += v * dt;
      integrand.dispose();
      expect(integral).toBeCloseTo(1, 3);
    });
  }

  it('straight-through variant samples Bernoulli(σ(l)) with identity gradient to the relaxed sample', () => {
    const logit = 0.8;
    const n = 20_000;
    const dist = new StraightThroughRelaxedBernoulli(0.5, tf.fill([n], logit));
    const b = dist.sample(new Rng('stb'));
    const values = b.dataSync();
    let ones = 0;
    for (const v of values) {
      expect(v === 0 || v === 1).toBe(true);
      ones += v;
    }
    const p = 1 / (1 + Math.exp(-logit));
    // Binomial proportion within 4 standard errors (two-sided α ≈ 6e-5).
    expect(Math.abs(ones / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    const gHard = tf.grad((l) => tf.sum(new StraightThroughRelaxedBernoulli(0.5, l).sample(new Rng('g'))))(
      tf.tensor1d([0.1, -0.4]),
    );
    const gSoft = tf.grad((l) => tf.sum(new RelaxedBernoulli(0.5, l).sample(new Rng('g'))))(
      tf.tensor1d([0.1, -0.4]),
    );
    expect(Array.from(gHard.dataSync())).toEqual(Array.from(gSoft.dataSync()));
  });
});
