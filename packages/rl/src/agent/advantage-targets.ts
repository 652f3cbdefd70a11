import { readTensors } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { Env } from '../env/env.js';
import { batchMoments } from './batch-moments.js';
import { trialGae } from './gae.js';
import type { GruPolicy } from './gru-policy.js';
import { preserveValueOutputs } from './popart.js';
import type { Rl2Config } from './rl2-config.js';
import { appendTimeInputs, TIME_INPUTS } from './rl2-input.js';
import type { Rollout } from './rollout.js';
import type { ValueNormalizer } from './value-normalizer.js';

/** What an iteration's update learns from, besides the rollout itself. */
export interface AdvantageTargets {
  /** The rollout as the value network sees it: with the time inputs when only it has them. */
  criticRollout: Rollout;
  /** Trial-level GAE advantages, standardised over the batch, `[T][batch]`. */
  advantages: Float32Array[];
  /** The value targets: GAE returns, normalised when value normalisation is on. */
  targets: Float32Array[];
}

/**
 * Advantages and value targets of one iteration: the value network's predictions over the whole
 * rollout (one GRU op), trial-level GAE with `gaeLambda`, and, with value normalisation, the
 * running return statistics updated (the value head rescaled to keep its outputs under PopArt).
 */
export async function advantageTargets(options: {
  rollout: Rollout;
  policy: GruPolicy;
  critic: GruPolicy | undefined;
  env: Env;
  config: Rl2Config;
  gaeLambda: number;
  normalizer: ValueNormalizer;
}): Promise<AdvantageTargets> {
  const { rollout, policy, critic, env, config: cfg, gaeLambda, normalizer } = options;
  const criticRollout =
    cfg.timeInputs === 'critic'
      ? {
          ...rollout,
          inputs: appendTimeInputs(rollout.inputs, rollout.batch, rollout.inputSize, {
            episodeLength: env.episodeLength,
            episodes: cfg.episodes,
          }),
          inputSize: rollout.inputSize + TIME_INPUTS,
        }
      : rollout;
  const predicted = critic ? await valuesOf(critic, criticRollout) : rollout.values;
  // The value head predicts normalised returns when value normalisation is on.
  const values = cfg.normalizeValues ? normalizer.denormalize(predicted) : predicted;
  const gae = trialGae(rollout.rewards, values, cfg.discount, gaeLambda);
  if (cfg.normalizeValues) {
    const before = normalizer.stats;
    normalizer.update(gae.returns);
    if (cfg.popArt) preserveValueOutputs(critic ?? policy, before, normalizer.stats);
  }
  const targets = cfg.normalizeValues ? normalizer.normalize(gae.returns) : gae.returns;
  return { criticRollout, advantages: standardize(gae.advantages), targets };
}

/** A value network's predictions for every step of a rollout, `[T][batch]`: one GRU op over all steps. */
async function valuesOf(network: GruPolicy, rollout: Rollout): Promise<Float32Array[]> {
  const { batch, steps, inputSize } = rollout;
  const values = tf.tidy(() => {
    const inputs = new Float32Array(steps * batch * inputSize);
    for (const [t, row] of rollout.inputs.entries()) inputs.set(row, t * batch * inputSize);
    return network.valueHead(network.features(tf.tensor3d(inputs, [steps, batch, inputSize])), false);
  });
  const [data] = await readTensors([values]);
  values.dispose();
  return rollout.inputs.map((_, t) => data!.slice(t * batch, (t + 1) * batch));
}

/** (x − mean) / std over every entry of a time-major batch. */
function standardize(rows: Float32Array[]): Float32Array[] {
  const { mean, meanSquare } = batchMoments(rows);
  const std = Math.sqrt(Math.max(meanSquare - mean * mean, 1e-12));
  return rows.map((row) => row.map((a) => (a - mean) / std));
}
