import {
  checkpointState,
  checkpointTensors,
  type NamedValues,
  type ProgramCheckpoint,
  type Rng,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import {
  disposeInnerRun,
  type InnerRun,
  innerRunFromValues,
  innerRunValues,
  type MetaGradientResult,
  unrollForward,
} from './meta-gradient.js';
import type { MetaGradientEstimator, TruncationRequest } from './meta-gradient-estimator.js';
import { checkPerturbationSettings, drawPerturbation, perturbed } from './weight-perturbation.js';

/** Settings of {@link PersistentEs}. */
export interface PesSettings {
  /** Antithetic particle pairs. */
  particles: number;
  /** Standard deviation σ of each truncation's weight perturbation. */
  sigma: number;
}

/** One antithetic pair: inner runs under φ + ε and φ − ε, and the sum ξ of its perturbations so far. */
interface Particle {
  plus: InnerRun;
  minus: InnerRun;
  accumulated: Float32Array[];
}

const stateSchema = z.object({
  particles: z.number().int().nonnegative(),
  step: z.number().int().nonnegative(),
});

/**
 * Persistent evolution strategies (Vicol et al. 2021, as learned_optimization's `truncated_pes`):
 * unbiased gradients of the whole inner run's meta-loss from truncated unrolls. Each antithetic pair
 * keeps its own inner runs under φ ± ε across the truncations of an epoch, with a fresh ε each
 * truncation, and accumulates ξ = Σ ε; a truncation's estimate is Σ_i ξ_i (L⁺_i − L⁻_i) / (2σ²P).
 * Summed over an epoch this estimates ∇ of the epoch's total meta-loss without truncation bias. The
 * particles' runs and accumulators are checkpointed, so a resume is exact. A new epoch (an inner run
 * at step 0) restarts the particles. Runs on the training thread.
 */
export class PersistentEs implements MetaGradientEstimator {
  readonly name = 'pes';
  private particles: Particle[] = [];

  constructor(
    readonly settings: PesSettings,
    private readonly rng: Rng,
  ) {
    checkPerturbationSettings('PersistentEs', settings);
  }

  async estimate(request: TruncationRequest): Promise<MetaGradientResult> {
    const { optimizer, run, unroll, metaStep, objective, noise } = request;
    const options = { unroll, metaStep, objective, noiseFor: (step: number) => noise.child(step) };
    const weights = await optimizer.weightValues();
    const { sigma } = this.settings;
    if (run.step === 0 || this.particles.length === 0) this.start(run, weights);
    const count = this.particles.length;
    const sums = weights.map((w) => new Float64Array(w.values.length));
    try {
      const streams = this.rng.child(metaStep);
      for (const [p, particle] of this.particles.entries()) {
        const draw = streams.child(p);
        const epsilon = drawPerturbation(weights, sigma, draw);
        particle.accumulated.forEach((xi, k) => {
          for (let i = 0; i < xi.length; i++) xi[i]! += epsilon[k]![i]!;
        });
        const advance = async (side: 'plus' | 'minus', sign: number) => {
          optimizer.setWeightValues(perturbed(weights, epsilon, sign));
          const { metaLoss, next } = await unrollForward(optimizer, particle[side], options);
          disposeInnerRun(particle[side]);
          particle[side] = next;
          return metaLoss;
        };
        const coefficient =
          ((await advance('plus', 1)) - (await advance('minus', -1))) / (2 * sigma * sigma * count);
        particle.accumulated.forEach((xi, k) => {
          const sum = sums[k]!;
          for (let i = 0; i < xi.length; i++) sum[i]! += coefficient * xi[i]!;
        });
      }
    } finally {
      optimizer.setWeightValues(weights);
    }
    const central = await unrollForward(optimizer, run, options);
    return {
      metaLoss: tf.scalar(central.metaLoss),
      gradients: weights.map((w, k) => tf.tensor(Float32Array.from(sums[k]!), w.shape)),
      next: central.next,
    };
  }

  /** Restarts every pair at the start of `run`, with ξ = 0. */
  private start(run: InnerRun, weights: NamedValues[]): void {
    this.release();
    const copy = (): InnerRun => ({
      ...run,
      params: run.params.clone(),
      loss: run.loss.clone(),
      gradient: run.gradient.clone(),
      state: Object.fromEntries(Object.entries(run.state).map(([name, t]) => [name, t.clone()])),
    });
    this.particles = Array.from({ length: this.settings.particles }, () => ({
      plus: copy(),
      minus: copy(),
      accumulated: weights.map((w) => new Float32Array(w.values.length)),
    }));
  }

  async checkpoint(): Promise<ProgramCheckpoint | undefined> {
    if (this.particles.length === 0) return undefined;
    const tensors: Record<string, NamedValues[]> = {};
    for (const [p, particle] of this.particles.entries()) {
      for (const side of ['plus', 'minus'] as const) {
        tensors[`${p}/${side}`] = await innerRunValues(particle[side]);
      }
      tensors[`${p}/xi`] = particle.accumulated.map((values, k) => ({
        name: String(k),
        shape: [values.length],
        values,
      }));
    }
    return { state: { particles: this.particles.length, step: this.particles[0]!.plus.step }, tensors };
  }

  restore(raw: Record<string, unknown>, tensors: Record<string, NamedValues[]>, run: InnerRun): void {
    const state = checkpointState(stateSchema, raw);
    this.release();
    this.particles = Array.from({ length: state.particles }, (_, p) => ({
      plus: innerRunFromValues(run.task, checkpointTensors(tensors, `${p}/plus`), state.step),
      minus: innerRunFromValues(run.task, checkpointTensors(tensors, `${p}/minus`), state.step),
      accumulated: checkpointTensors(tensors, `${p}/xi`).map((w) => Float32Array.from(w.values)),
    }));
  }

  private release(): void {
    for (const particle of this.particles) {
      disposeInnerRun(particle.plus);
      disposeInnerRun(particle.minus);
    }
    this.particles = [];
  }

  async dispose(): Promise<void> {
    this.release();
  }
}
