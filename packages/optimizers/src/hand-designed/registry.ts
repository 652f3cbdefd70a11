import { Adam } from './adam.js';
import { Momentum, Nesterov } from './momentum.js';
import type { OptimizerFactory } from './optimizer.js';
import { RmsProp } from './rmsprop.js';
import { Sgd } from './sgd.js';

/** Names of the hand-designed baselines. */
export const BASELINE_NAMES = ['sgd', 'momentum', 'nag', 'rmsprop', 'adam'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

/** Learning-rate → optimizer factories for every baseline, with the other hyperparameters at their defaults. */
export const BASELINES: Record<BaselineName, OptimizerFactory> = {
  sgd: (learningRate) => new Sgd({ learningRate }),
  momentum: (learningRate) => new Momentum({ learningRate }),
  nag: (learningRate) => new Nesterov({ learningRate }),
  rmsprop: (learningRate) => new RmsProp({ learningRate }),
  adam: (learningRate) => new Adam({ learningRate }),
};
