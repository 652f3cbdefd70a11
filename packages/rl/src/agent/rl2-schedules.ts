import { decayed } from '@metagrad/core';
import type { Rl2Config } from './rl2-config.js';

/** Adam's step size at `iteration` (0-based) under `learningRateSchedule`. */
export function learningRateAt(
  config: Pick<Rl2Config, 'learningRate' | 'learningRateSchedule' | 'iterations'>,
  iteration: number,
): number {
  return decayed(config.learningRate, config.learningRateSchedule, iteration, config.iterations);
}

/** The entropy bonus weight at `iteration` (0-based) under `entropySchedule`. */
export function entropyCoefficientAt(
  config: Pick<Rl2Config, 'entropyCoefficient' | 'entropySchedule' | 'iterations'>,
  iteration: number,
): number {
  return decayed(config.entropyCoefficient, config.entropySchedule, iteration, config.iterations);
}

/** GAE λ at `iteration` (0-based): the latest `gaeLambdaSchedule` entry begun by then, else `gaeLambda`. */
export function gaeLambdaAt(
  config: Pick<Rl2Config, 'gaeLambda' | 'gaeLambdaSchedule'>,
  iteration: number,
): number {
  let lambda = config.gaeLambda;
  let from = -1;
  for (const entry of config.gaeLambdaSchedule) {
    if (entry.fromIteration <= iteration && entry.fromIteration > from) {
      lambda = entry.gaeLambda;
      from = entry.fromIteration;
    }
  }
  return lambda;
}
