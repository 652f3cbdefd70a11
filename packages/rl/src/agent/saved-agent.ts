import {
  loadWeightsDirectory,
  type NamedValues,
  Rng,
  SavedModelError,
  saveWeightsDirectory,
} from '@metagrad/core';
import { z } from 'zod';
import { envFor } from '../env/env-registry.js';
import { GruPolicy } from './gru-policy.js';
import { Rl2Agent, type Rl2AgentOptions } from './rl2-agent.js';
import { type Rl2Config, rl2AgentOptions, rl2ConfigSchema } from './rl2-config.js';
import { rl2NetworkShape } from './rl2-networks.js';

const MANIFEST_FILE = 'agent.json';

const manifestSchema = z.object({
  format: z.literal('metagrad-rl2-agent'),
  version: z.literal(2),
  config: rl2ConfigSchema,
});

/**
 * Saves an RL² network's weights (as {@link GruPolicy.weightValues} reads them) and the config
 * it was trained with, in @metagrad/core's saved-model format: `<dir>/agent.json` and
 * `<dir>/weights.bin`, replaced as a whole, atomically.
 */
export function saveRl2Agent(weights: NamedValues[], config: Rl2Config, dir: string): void {
  saveWeightsDirectory(dir, MANIFEST_FILE, { format: 'metagrad-rl2-agent', version: 2, config }, weights);
}

/**
 * Loads an agent saved by {@link saveRl2Agent}: JSON validated with a schema, raw floats; no code
 * runs. With `greedy`, the agent takes its most probable action instead of sampling.
 */
export function loadRl2Agent(
  dir: string,
  options: Pick<Rl2AgentOptions, 'greedy'> = {},
): { agent: Rl2Agent; config: Rl2Config } {
  const { manifest, weights } = loadWeightsDirectory(dir, MANIFEST_FILE, manifestSchema);
  const { config } = manifest;
  const env = envFor(config);
  const policy = new GruPolicy(rl2NetworkShape(config, env, 'policy'), new Rng(0));
  try {
    policy.setWeightValues(weights);
  } catch (error) {
    policy.dispose();
    throw new SavedModelError(dir, (error as Error).message);
  }
  return { agent: new Rl2Agent(policy, env, { ...rl2AgentOptions(config), ...options }), config };
}
