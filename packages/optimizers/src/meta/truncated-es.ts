import type { NamedValues, Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { disposeInnerRun, type MetaGradientResult, unrollForward } from './meta-gradient.js';
import type { MetaGradientEstimator, TruncationRequest } from './meta-gradient-estimator.js';
import { checkPerturbationSettings, drawPerturbation, perturbed } from './weight-perturbation.js';

/** Settings of {@link TruncatedEs}. */
export interface EsSettings {
  /** Perturbations per meta-step (antithetic: pairs). */
  particles: number;
  /** Standard deviation σ of the Gaussian perturbations of the weights. */
  sigma: number;
  /** Evaluate each perturbation ±ε (antithetic sampling) instead of +ε against the unperturbed loss. */
  antithetic: boolean;
}

/**
 * Evolution strategies over one truncation (as in google/learned_optimization's `truncated_es`):
 * the gradient of the Gaussian-smoothed meta-loss E_ε[L(φ + ε)], ε ~ N(0, σ²I), estimated as
 * Σ_i (L(φ + ε_i) − L(φ − ε_i)) ε_i / (2σ²P) with antithetic pairs, or Σ_i (L(φ + ε_i) − L(φ)) ε_i / (σ²P)
 * without. Only forward unrolls: no tape, no second derivatives, no truncation-free exploding
 * gradients. Each truncation starts every particle from the same inner state (the unperturbed run),
 * so like truncated BPTT it is biased for unrolls that do not reach the end of the inner run;
 * persistent ES removes that bias. Perturbations come from `rng.child(metaStep)`: the same seed gives
 * the same estimate, also after a resume. Runs on the training thread.
 */
export class TruncatedEs implements MetaGradientEstimator {
  readonly name = 'es';

  constructor(
    readonly settings: EsSettings,
    private readonly rng: Rng,
  ) {
    checkPerturbationSettings('TruncatedEs', settings);
  }

  async estimate(request: TruncationRequest): Promise<MetaGradientResult> {
    const { optimizer, run, unroll, metaStep, objective, noise } = request;
    const options = { unroll, metaStep, objective, noiseFor: (step: number) => noise.child(step) };
    const weights = await optimizer.weightValues();
    const { sigma, particles, antithetic } = this.settings;
    const lossAt = async (shifted: NamedValues[]) => {
      optimizer.setWeightValues(shifted);
      const { metaLoss, next } = await unrollForward(optimizer, run, options);
      disposeInnerRun(next);
      return metaLoss;
    };
    const sums = weights.map((w) => new Float64Array(w.values.length));
    let central: { metaLoss: number; next: MetaGradientResult['next'] } | undefined;
    try {
      if (!antithetic) central = await unrollForward(optimizer, run, options);
      const baseline = central?.metaLoss;
      const streams = this.rng.child(metaStep);
      for (let p = 0; p < particles; p++) {
        const draw = streams.child(p);
        const epsilon = drawPerturbation(weights, sigma, draw);
        const shift = (sign: number) => perturbed(weights, epsilon, sign);
        const coefficient = antithetic
          ? ((await lossAt(shift(1))) - (await lossAt(shift(-1)))) / (2 * sigma * sigma * particles)
          : ((await lossAt(shift(1))) - baseline!) / (sigma * sigma * particles);
        if (!Number.isFinite(coefficient)) {
          for (const sum of sums) sum.fill(Number.NaN);
          break;
        }
        epsilon.forEach((e, k) => {
          const sum = sums[k]!;
          for (let i = 0; i < e.length; i++) sum[i]! += coefficient * e[i]!;
        });
      }
    } finally {
      optimizer.setWeightValues(weights);
    }
    central ??= await unrollForward(optimizer, run, options);
    return {
      metaLoss: tf.scalar(central.metaLoss),
      gradients: weights.map((w, k) => tf.tensor(Float32Array.from(sums[k]!), w.shape)),
      next: central.next,
    };
  }

  async dispose(): Promise<void> {}
}
