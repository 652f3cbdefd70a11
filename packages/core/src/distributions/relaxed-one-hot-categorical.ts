import * as tf from '@tensorflow/tfjs';
import { straightThrough } from '../discrete-gradients/straight-through.js';
import { perturbLogits } from '../gumbel/gumbel.js';
import { oneHotArgMax, resolveCategoryAxis } from '../gumbel/gumbel-softmax.js';
import type { Rng } from '../random/rng.js';
import { expandForSamples } from './categorical.js';
import type { Distribution } from './distribution.js';
import { checkTemperature, logFactorial, type Temperature } from './temperature.js';

/**
 * ExpConcrete distribution (Maddison et al. 2017, appendix C): the log of a Concrete sample,
 * `y = logSoftmax((logits + G) / τ)`. Working in log space keeps densities finite at low τ.
 *
 * log p(y) = log((n−1)!) + (n−1)·log τ + Σₖ (lₖ − τ·yₖ) − n·logsumexpₖ(lₖ − τ·yₖ)
 *
 * @example
 * ```ts
 * const q = new ExpRelaxedOneHotCategorical(0.5, logits);
 * const y = q.sample(rng);          // log of a point on the simplex
 * const kl = tf.sub(q.logProb(y), prior.logProb(y));
 * ```
 */
export class ExpRelaxedOneHotCategorical implements Distribution {
  readonly temperature: Temperature;
  readonly logits: tf.Tensor;
  readonly numCategories: number;

  constructor(temperature: Temperature, logits: tf.Tensor) {
    this.temperature = checkTemperature(temperature);
    resolveCategoryAxis(logits);
    this.logits = logits;
    this.numCategories = logits.shape[logits.rank - 1]!;
  }

  sample(rng: Rng, sampleShape: number[] = []): tf.Tensor {
    return tf.tidy(() =>
      tf.logSoftmax(tf.div(perturbLogits(expandForSamples(this.logits, sampleShape), rng), this.temperature)),
    );
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const n = this.numCategories;
      const scores = tf.sub(this.logits, tf.mul(this.temperature, value));
      const logTemperature = tf.log(this.temperature);
      return tf.add(
        tf.sub(tf.sum(scores, -1), tf.mul(n, tf.logSumExp(scores, -1))),
        tf.add(logFactorial(n - 1), tf.mul(n - 1, logTemperature)),
      );
    });
  }
}

/**
 * Concrete / Gumbel-softmax distribution on the simplex (Maddison et al. 2017; Jang et al. 2017):
 * samples are `softmax((logits + G) / τ)` and are reparameterised (gradients flow to logits and τ).
 * `logProb` is the Concrete density, the ExpConcrete density at `log x` minus `Σ log xₖ`.
 *
 * @example
 * ```ts
 * const q = new RelaxedOneHotCategorical(1.0, logits);
 * const x = q.sample(rng); // rows sum to 1
 * ```
 */
export class RelaxedOneHotCategorical implements Distribution {
  readonly exp: ExpRelaxedOneHotCategorical;

  constructor(temperature: Temperature, logits: tf.Tensor) {
    this.exp = new ExpRelaxedOneHotCategorical(temperature, logits);
  }

  get temperature(): Temperature {
    return this.exp.temperature;
  }

  get logits(): tf.Tensor {
    return this.exp.logits;
  }

  sample(rng: Rng, sampleShape: number[] = []): tf.Tensor {
    return tf.tidy(() =>
      tf.softmax(tf.div(perturbLogits(expandForSamples(this.logits, sampleShape), rng), this.temperature)),
    );
  }

  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const logValue = tf.log(value);
      return tf.sub(this.exp.logProb(logValue), tf.sum(logValue, -1));
    });
  }
}

/**
 * Straight-through Gumbel-softmax: `sample` returns an exact one-hot (a true categorical draw)
 * whose gradient is that of the relaxed Concrete sample. `logProb` scores one-hot values
 * under the underlying categorical, `Σₖ xₖ·log softmax(l)ₖ`.
 *
 * @example
 * ```ts
 * const choice = new StraightThroughRelaxedOneHotCategorical(0.5, logits).sample(rng);
 * const loss = tf.sum(tf.mul(choice, costs)); // gradient reaches logits
 * ```
 */
export class StraightThroughRelaxedOneHotCategorical extends RelaxedOneHotCategorical {
  override sample(rng: Rng, sampleShape: number[] = []): tf.Tensor {
    return tf.tidy(() => {
      const perturbed = perturbLogits(expandForSamples(this.logits, sampleShape), rng);
      const soft = tf.softmax(tf.div(perturbed, this.temperature));
      const hard = oneHotArgMax(perturbed);
      return straightThrough(soft, () => hard);
    });
  }

  override logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.sum(tf.mul(value, tf.logSoftmax(this.logits)), -1));
  }
}
