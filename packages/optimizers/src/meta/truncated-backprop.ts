import { MetaGradientRunner } from '../parallel/meta-gradient-runner.js';
import type { MetaGradientResult } from './meta-gradient.js';
import type { MetaGradientEstimator, TruncationRequest } from './meta-gradient-estimator.js';

/**
 * Truncated backpropagation through time (Andrychowicz et al. 2016): the exact gradient of the
 * truncation's meta-loss, first order by default (optimizee gradients as constants), computed on
 * this thread or with the task batch split across `workers` gradient workers.
 */
export class TruncatedBackprop implements MetaGradientEstimator {
  readonly name = 'truncated-backprop';
  private readonly runner: MetaGradientRunner;

  constructor(
    workers: number,
    private readonly options: { secondOrder?: boolean } = {},
  ) {
    this.runner = new MetaGradientRunner(workers);
  }

  estimate(request: TruncationRequest): Promise<MetaGradientResult> {
    const { optimizer, run, unroll, metaStep, objective, noise, family, taskSeed } = request;
    return this.runner.metaGradient(
      optimizer,
      run,
      {
        unroll,
        objective,
        secondOrder: this.options.secondOrder === true,
        noiseFor: (step) => noise.child(step),
        metaStep,
      },
      { family, taskSeed, noiseSeed: noise.seed },
    );
  }

  dispose(): Promise<void> {
    return this.runner.dispose();
  }
}
