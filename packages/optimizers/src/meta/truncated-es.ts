import type { Rng, WorkerPool } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { EsParticleRunner } from '../parallel/es-particle-runner.js';
import { readInnerRun } from '../parallel/inner-run-data.js';
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
 * the same estimate, also after a resume, whatever the number of gradient workers the particles are
 * split across.
 */
export class TruncatedEs implements MetaGradientEstimator {
  readonly name = 'es';

  private readonly runner: EsParticleRunner;

  /** `workers`: gradient worker threads for the particles (1: all on this thread), or a shared pool. */
  constructor(
    readonly settings: EsSettings,
    private readonly rng: Rng,
    workers: number | WorkerPool = 1,
  ) {
    checkPerturbationSettings('TruncatedEs', settings);
    this.runner = new EsParticleRunner(workers);
  }

  async estimate(request: TruncationRequest): Promise<MetaGradientResult> {
    const { optimizer, run, unroll, metaStep, objective, noise } = request;
    const options = { unroll, metaStep, objective, noiseFor: (step: number) => noise.child(step) };
    const weights = await optimizer.weightValues();
    const { sigma, particles, antithetic } = this.settings;
    const streams = this.rng.child(metaStep);
    let losses: number[][];
    let central: { metaLoss: number; next: MetaGradientResult['next'] };
    if (this.runner.serves(request.family, run)) {
      const data = await readInnerRun(run);
      const perturbationSeed = streams.seed;
      const noiseSeed = noise.seed;
      const particleRequest = { ...request, ...this.settings, weights, perturbationSeed, noiseSeed };
      // The workers unroll the particles while this thread unrolls the unperturbed run.
      [losses, central] = await Promise.all([
        this.runner.losses(particleRequest, data),
        unrollForward(optimizer, run, options),
      ]);
    } else {
      losses = [];
      try {
        for (let p = 0; p < particles; p++) {
          const epsilon = drawPerturbation(weights, sigma, streams.child(p));
          const particle: number[] = [];
          for (const sign of antithetic ? [1, -1] : [1]) {
            optimizer.setWeightValues(perturbed(weights, epsilon, sign));
            const { metaLoss, next } = await unrollForward(optimizer, run, options);
            disposeInnerRun(next);
            particle.push(metaLoss);
          }
          losses.push(particle);
        }
      } finally {
        optimizer.setWeightValues(weights);
      }
      central = await unrollForward(optimizer, run, options);
    }
    const sums = weights.map((w) => new Float64Array(w.values.length));
    for (const [p, [plus, minus]] of losses.entries()) {
      const coefficient = antithetic
        ? (plus! - minus!) / (2 * sigma * sigma * particles)
        : (plus! - central.metaLoss) / (sigma * sigma * particles);
      if (!Number.isFinite(coefficient)) {
        for (const sum of sums) sum.fill(Number.NaN);
        break;
      }
      drawPerturbation(weights, sigma, streams.child(p)).forEach((e, k) => {
        const sum = sums[k]!;
        for (let i = 0; i < e.length; i++) sum[i]! += coefficient * e[i]!;
      });
    }
    return {
      metaLoss: tf.scalar(central.metaLoss),
      gradients: weights.map((w, k) => tf.tensor(Float32Array.from(sums[k]!), w.shape)),
      next: central.next,
    };
  }

  dispose(): Promise<void> {
    return this.runner.dispose();
  }
}
