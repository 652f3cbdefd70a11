import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../validation/config-error.js';
import { ConstantSchedule, ExponentialDecaySchedule, LearnableTemperature } from './temperature-schedule.js';

describe('temperature schedules', () => {
  it('constant', () => {
    const s = new ConstantSchedule(0.7);
    expect([s.value(0), s.value(10_000)]).toEqual([0.7, 0.7]);
    expect(() => new ConstantSchedule(0)).toThrow(/invalid temperature: 0/);
  });

  it('exponential decay with a floor, updated every N steps (Jang et al.)', () => {
    const s = new ExponentialDecaySchedule({ initial: 1, rate: 1e-3, min: 0.5, every: 100 });
    expect(s.value(0)).toBe(1);
    expect(s.value(99)).toBe(1);
    expect(s.value(100)).toBeCloseTo(Math.exp(-0.1), 12);
    expect(s.value(250)).toBeCloseTo(Math.exp(-0.2), 12);
    expect(s.value(1_000_000)).toBe(0.5);
    expect(s.toJSON()).toEqual({ kind: 'exponential', initial: 1, min: 0.5, rate: 1e-3, every: 100 });
  });

  it('rejects bad schedule fields, naming them', () => {
    expect(() => new ExponentialDecaySchedule({ initial: -1, rate: 0.1, min: 0.5 })).toThrow(
      /invalid schedule\.initial: -1/,
    );
    expect(() => new ExponentialDecaySchedule({ initial: 1, rate: 0.1, min: Number.NaN })).toThrow(
      ConfigError,
    );
  });

  it('a learnable temperature is positive and receives gradients', async () => {
    const tau = new LearnableTemperature(2, { min: 0.1 });
    expect(await tau.value()).toBeCloseTo(2, 5);
    const { grads } = tf.variableGrads(() => tf.mul(tau.tensor(), 3) as tf.Scalar, [tau.logTemperature]);
    // d(3·(0.1 + e^s))/ds = 3·e^s = 3·(2 − 0.1)
    expect(grads[tau.logTemperature.name]!.dataSync()[0]).toBeCloseTo(3 * 1.9, 4);
    tau.dispose();
  });
});
