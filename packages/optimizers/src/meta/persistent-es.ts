import {
  checkpointState,
  checkpointTensors,
  type NamedValues,
  type ProgramCheckpoint,
  type Rng,
  type WorkerPool,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { EsParticleRunner } from '../parallel/es-particle-runner.js';
import {
  type InnerRunData,
  innerRunDataValues,
  innerRunFromData,
  readInnerRun,
} from '../parallel/inner-run-data.js';
import { isResident, type ResidentRun, type RunKeeper } from '../parallel/resident-runs.js';
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

/**
 * A particle's inner run: tensors where this thread advances it; kept on the gradient worker that
 * advances it, where the workers are this process's threads (nothing travels between truncations);
 * plain data where they are remote, since it then only travels to them and back.
 */
type ParticleRun = InnerRun | InnerRunData | ResidentRun;

/** One antithetic pair: inner runs under φ + ε and φ − ε, and the sum ξ of its perturbations so far. */
interface Particle {
  plus: ParticleRun;
  minus: ParticleRun;
  accumulated: Float32Array[];
}

/** A particle's run after one truncation, and the truncation's meta-loss. */
interface AdvancedRun {
  metaLoss: number;
  next: ParticleRun;
}

function isData(run: ParticleRun): run is InnerRunData {
  return (run as Partial<InnerRunData>).params instanceof Float32Array;
}

function isTensors(run: ParticleRun): run is InnerRun {
  return !isData(run) && !isResident(run);
}

function releaseRun(run: ParticleRun): void {
  if (isTensors(run)) disposeInnerRun(run);
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
 * at step 0) restarts the particles. The particles may be advanced on gradient workers: each is the
 * same unroll there, so the estimate does not depend on the worker count.
 */
export class PersistentEs implements MetaGradientEstimator {
  readonly name = 'pes';
  private particles: Particle[] = [];
  private readonly runner: EsParticleRunner;
  /** Names this estimator's particle runs on the workers that keep them; a restart bumps the generation. */
  private readonly owner = globalThis.crypto.randomUUID();
  private generation = 0;

  /** `workers`: gradient worker threads for the particles (1: all on this thread), or a shared pool. */
  constructor(
    readonly settings: PesSettings,
    private readonly rng: Rng,
    workers: number | WorkerPool = 1,
  ) {
    checkPerturbationSettings('PersistentEs', settings);
    this.runner = new EsParticleRunner(workers);
  }

  async estimate(request: TruncationRequest): Promise<MetaGradientResult> {
    const { optimizer, run, unroll, metaStep, objective, noise } = request;
    const options = { unroll, metaStep, objective, noiseFor: (step: number) => noise.child(step) };
    const weights = await optimizer.weightValues();
    const { sigma } = this.settings;
    if (run.step === 0 || this.particles.length === 0) this.start(run, weights);
    const count = this.particles.length;
    const streams = this.rng.child(metaStep);
    let advanced: { plus: AdvancedRun; minus: AdvancedRun }[];
    let central: { metaLoss: number; next: InnerRun };
    if (this.runner.serves(request.family, run)) {
      const keeper = this.runner.keepsRuns ? this.keeper : undefined;
      if (!keeper) await this.fetchKept();
      const ship = async (r: ParticleRun) => (isTensors(r) ? readInnerRun(r) : r);
      const runs = [];
      for (const particle of this.particles)
        runs.push({ plus: await ship(particle.plus), minus: await ship(particle.minus) });
      const particleRequest = {
        ...request,
        ...this.settings,
        weights,
        perturbationSeed: streams.seed,
        noiseSeed: noise.seed,
      };
      // The workers advance the particles while this thread unrolls the unperturbed run.
      const [results, unperturbed] = await Promise.all([
        this.runner.advance(particleRequest, runs, keeper),
        unrollForward(optimizer, run, options),
      ]);
      advanced = results;
      central = unperturbed;
    } else {
      await this.fetchKept();
      advanced = [];
      try {
        for (const [p, particle] of this.particles.entries()) {
          const epsilon = drawPerturbation(weights, sigma, streams.child(p));
          const side = async (from: ParticleRun, sign: number) => {
            optimizer.setWeightValues(perturbed(weights, epsilon, sign));
            if (isTensors(from)) return unrollForward(optimizer, from, options);
            const start = innerRunFromData(run.task, from as InnerRunData);
            try {
              return await unrollForward(optimizer, start, options);
            } finally {
              disposeInnerRun(start);
            }
          };
          advanced.push({ plus: await side(particle.plus, 1), minus: await side(particle.minus, -1) });
        }
      } finally {
        optimizer.setWeightValues(weights);
      }
      central = await unrollForward(optimizer, run, options);
    }
    const sums = weights.map((w) => new Float64Array(w.values.length));
    for (const [p, particle] of this.particles.entries()) {
      const { plus, minus } = advanced[p]!;
      const epsilon = drawPerturbation(weights, sigma, streams.child(p));
      const coefficient = (plus.metaLoss - minus.metaLoss) / (2 * sigma * sigma * count);
      particle.accumulated.forEach((xi, k) => {
        const sum = sums[k]!;
        for (let i = 0; i < xi.length; i++) {
          xi[i]! += epsilon[k]![i]!;
          sum[i]! += coefficient * xi[i]!;
        }
      });
      releaseRun(particle.plus);
      releaseRun(particle.minus);
      particle.plus = plus.next;
      particle.minus = minus.next;
    }
    return {
      metaLoss: tf.scalar(central.metaLoss),
      gradients: weights.map((w, k) => tf.tensor(Float32Array.from(sums[k]!), w.shape)),
      next: central.next,
    };
  }

  private get keeper(): RunKeeper {
    return { owner: this.owner, generation: this.generation };
  }

  /** Whether the particles' runs are kept on the workers (all of them are, or none). */
  private get kept(): boolean {
    return this.particles.length > 0 && isResident(this.particles[0]!.plus);
  }

  /** The particles' runs kept on the workers, as data, in particle order. */
  private keptData(): Promise<{ plus: InnerRunData; minus: InnerRunData }[]> {
    return this.runner.collect(this.keeper, this.particles.length, this.particles[0]!.plus.step);
  }

  /** Brings the particles' runs kept on the workers here as data, for a thread that does not keep them. */
  private async fetchKept(): Promise<void> {
    if (!this.kept) return;
    (await this.keptData()).forEach((runs, p) => {
      Object.assign(this.particles[p]!, runs);
    });
  }

  /** Restarts every pair at the start of `run`, with ξ = 0. */
  private start(run: InnerRun, weights: NamedValues[]): void {
    this.release();
    this.generation++;
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
    // Runs kept on the workers are read from there and stay there.
    const kept = this.kept ? await this.keptData() : undefined;
    const tensors: Record<string, NamedValues[]> = {};
    for (const [p, particle] of this.particles.entries()) {
      for (const side of ['plus', 'minus'] as const) {
        const particleRun = kept ? kept[p]![side] : particle[side];
        tensors[`${p}/${side}`] = isTensors(particleRun)
          ? await innerRunValues(particleRun)
          : innerRunDataValues(particleRun as InnerRunData);
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
    this.generation++;
    this.particles = Array.from({ length: state.particles }, (_, p) => ({
      plus: innerRunFromValues(run.task, checkpointTensors(tensors, `${p}/plus`), state.step),
      minus: innerRunFromValues(run.task, checkpointTensors(tensors, `${p}/minus`), state.step),
      accumulated: checkpointTensors(tensors, `${p}/xi`).map((w) => Float32Array.from(w.values)),
    }));
  }

  private release(): void {
    for (const particle of this.particles) {
      releaseRun(particle.plus);
      releaseRun(particle.minus);
    }
    this.particles = [];
  }

  async dispose(): Promise<void> {
    if (this.kept) await this.runner.release(this.owner);
    await this.runner.dispose();
    this.release();
  }
}
