import { z } from 'zod';
import { batchMoments } from './batch-moments.js';

/** Serialised {@link ValueNormalizer} state (checkpoints). */
export const valueNormalizerStateSchema = z.object({
  mean: z.number(),
  meanSquare: z.number(),
  updates: z.number().int().nonnegative(),
});
export type ValueNormalizerState = z.infer<typeof valueNormalizerStateSchema>;

/**
 * Running mean and standard deviation of value targets, so that the value head learns returns on
 * a unit scale whatever the environment's reward scale (trial returns reach ~60 on tabular MDPs,
 * where an unscaled value loss swamps the policy gradient under norm clipping). Statistics are
 * exponential moving averages with debiasing, like Adam's moments.
 */
export class ValueNormalizer {
  private mean = 0;
  private meanSquare = 0;
  private updates = 0;

  constructor(private readonly decay = 0.9) {}

  /** Folds a batch of returns into the running statistics. */
  update(returns: Float32Array[]): void {
    const batch = batchMoments(returns);
    if (batch.count === 0) return;
    this.mean = this.decay * this.mean + (1 - this.decay) * batch.mean;
    this.meanSquare = this.decay * this.meanSquare + (1 - this.decay) * batch.meanSquare;
    this.updates++;
  }

  /** Debiased running mean and standard deviation (0 and 1 before any update). */
  get stats(): { mean: number; std: number } {
    if (this.updates === 0) return { mean: 0, std: 1 };
    const correction = 1 - this.decay ** this.updates;
    const mean = this.mean / correction;
    const variance = this.meanSquare / correction - mean * mean;
    return { mean, std: Math.sqrt(Math.max(variance, 1e-4)) };
  }

  /** Network outputs → returns scale. */
  denormalize(rows: Float32Array[]): Float32Array[] {
    const { mean, std } = this.stats;
    return rows.map((row) => row.map((v) => mean + std * v));
  }

  /** Returns scale → network outputs. */
  normalize(rows: Float32Array[]): Float32Array[] {
    const { mean, std } = this.stats;
    return rows.map((row) => row.map((v) => (v - mean) / std));
  }

  state(): ValueNormalizerState {
    return { mean: this.mean, meanSquare: this.meanSquare, updates: this.updates };
  }

  restore(state: ValueNormalizerState): void {
    ({ mean: this.mean, meanSquare: this.meanSquare, updates: this.updates } = state);
  }
}
