import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../validation/config-error.js';

/** A temperature: a number, or a scalar tensor when it is learned. */
export type Temperature = number | tf.Scalar;

/** Throws {@link ConfigError} unless a numeric temperature is finite and > 0 (tensors are trusted). */
export function checkTemperature(temperature: Temperature, field = 'temperature'): Temperature {
  if (temperature instanceof tf.Tensor) {
    if (temperature.rank !== 0) throw new ConfigError(field, temperature, 'expected a scalar');
    return temperature;
  }
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature <= 0) {
    throw new ConfigError(field, temperature, 'must be a finite number > 0');
  }
  return temperature;
}

/** `log((n − 1)!)`, the normalising constant of the Concrete density over n categories. */
export function logFactorial(n: number): number {
  let total = 0;
  for (let i = 2; i <= n; i++) total += Math.log(i);
  return total;
}
