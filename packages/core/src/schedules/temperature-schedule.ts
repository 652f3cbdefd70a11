import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { parseConfig } from '../validation/config-error.js';
import { positiveNumber } from '../validation/schemas.js';

/**
 * A temperature as a function of the training step. Schedules are pure: the same step
 * always gives the same τ, so resuming from a checkpoint needs only the step count.
 */
export interface TemperatureSchedule {
  /** τ at training step `step` (0-based). */
  value(step: number): number;
  /** Plain-JSON description, for run configs. */
  toJSON(): Record<string, unknown>;
}

/**
 * τ fixed for the whole run.
 *
 * @example
 * ```ts
 * const tau = new ConstantSchedule(0.5).value(step); // 0.5
 * ```
 */
export class ConstantSchedule implements TemperatureSchedule {
  readonly temperature: number;
  constructor(temperature: number) {
    this.temperature = parseConfig(positiveNumber, temperature, 'temperature');
  }
  value(_step?: number): number {
    return this.temperature;
  }
  toJSON() {
    return { kind: 'constant', temperature: this.temperature };
  }
}

const exponentialSchema = z.object({
  initial: positiveNumber,
  min: positiveNumber,
  rate: z.number().nonnegative(),
  every: z.number().int().positive().default(1),
});

/** Options of {@link ExponentialDecaySchedule}. */
export type ExponentialDecayOptions = z.input<typeof exponentialSchema>;

/**
 * Exponential decay with a floor, as in Jang et al. (2017): τ = max(τ_min, τ₀·exp(−r·t)),
 * where t is the step rounded down to a multiple of `every` (τ is updated every N steps).
 *
 * @example
 * ```ts
 * // Jang et al.: τ₀ = 1, r = 1e-5, τ_min = 0.5, updated every 1000 steps
 * const schedule = new ExponentialDecaySchedule({ initial: 1, rate: 1e-5, min: 0.5, every: 1000 });
 * ```
 */
export class ExponentialDecaySchedule implements TemperatureSchedule {
  readonly initial: number;
  readonly min: number;
  readonly rate: number;
  readonly every: number;

  constructor(options: ExponentialDecayOptions) {
    const o = parseConfig(exponentialSchema, options, 'schedule');
    this.initial = o.initial;
    this.min = o.min;
    this.rate = o.rate;
    this.every = o.every;
  }

  value(step: number): number {
    const t = Math.floor(step / this.every) * this.every;
    return Math.max(this.min, this.initial * Math.exp(-this.rate * t));
  }

  toJSON() {
    return { kind: 'exponential', initial: this.initial, min: this.min, rate: this.rate, every: this.every };
  }
}

/**
 * A temperature learned by gradient descent alongside the model. It is stored as
 * log τ in a `tf.Variable` so it stays positive; `min` adds a floor (τ = min + exp(log τ)).
 *
 * @example
 * ```ts
 * const tau = new LearnableTemperature(1.0);
 * const y = gumbelSoftmax(logits, { temperature: tau.tensor() });
 * // tau.logTemperature is trainable: include it in the optimizer's var list.
 * ```
 */
export class LearnableTemperature {
  readonly logTemperature: tf.Variable;
  readonly min: number;

  constructor(initial: number, options: { min?: number; name?: string } = {}) {
    parseConfig(positiveNumber, initial, 'temperature');
    this.min = options.min ?? 0;
    if (!(this.min >= 0 && this.min < initial)) {
      throw new RangeError(`LearnableTemperature: min must be in [0, initial), got ${this.min}`);
    }
    this.logTemperature = tf.variable(tf.scalar(Math.log(initial - this.min)), true, options.name);
  }

  /** τ as a differentiable scalar tensor. */
  tensor(): tf.Scalar {
    return tf.tidy(() => tf.add(tf.exp(this.logTemperature), this.min) as tf.Scalar);
  }

  /** Current τ as a number (one host read). */
  async value(): Promise<number> {
    const t = this.tensor();
    try {
      return (await t.data())[0]!;
    } finally {
      t.dispose();
    }
  }

  dispose(): void {
    this.logTemperature.dispose();
  }
}
