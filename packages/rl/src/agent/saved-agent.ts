import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeValues,
  encodedValuesSchema,
  encodeValues,
  type NamedValues,
  Rng,
  writeDirectoryAtomic,
} from '@metagrad/core';
import { z } from 'zod';
import { envFor } from '../env/env-registry.js';
import { GruPolicy } from './gru-policy.js';
import { Rl2Agent } from './rl2-agent.js';
import { rl2InputSize } from './rl2-input.js';
import { type Rl2Config, rl2ConfigSchema } from './rl2-trainer.js';

const FILE = 'agent.json';

const savedSchema = z.object({
  format: z.literal('metagrad-rl2-agent'),
  version: z.literal(1),
  config: rl2ConfigSchema,
  weights: z.array(encodedValuesSchema),
});

/**
 * Saves an RL² network (or its weights as {@link GruPolicy.weightValues} returns them) and the
 * config it was trained with as `<dir>/agent.json`; the directory is replaced as a whole, atomically.
 */
export function saveRl2Agent(network: GruPolicy | NamedValues[], config: Rl2Config, dir: string): void {
  const values = Array.isArray(network) ? network : network.weightValues();
  const weights = encodeValues(values);
  writeDirectoryAtomic(dir, {
    [FILE]: JSON.stringify({ format: 'metagrad-rl2-agent', version: 1, config, weights }),
  });
}

/** Loads an agent saved by {@link saveRl2Agent}: JSON validated with a schema; no code runs. */
export function loadRl2Agent(dir: string): { agent: Rl2Agent; config: Rl2Config } {
  const path = join(dir, FILE);
  if (!existsSync(path)) throw new Error(`${dir}: no ${FILE}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: not JSON (${(error as Error).message})`);
  }
  const parsed = savedSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`${path}: not a metagrad RL² agent (${parsed.error.issues[0]!.message})`);
  const { config, weights } = parsed.data;
  const env = envFor(config);
  const policy = new GruPolicy(
    {
      inputSize: rl2InputSize(env.observationSize, env.numActions),
      hidden: config.hidden,
      actions: env.numActions,
      embedding: config.embedding,
    },
    new Rng(0),
  );
  policy.setWeightValues(decodeValues(weights, path));
  return { agent: new Rl2Agent(policy, env), config };
}
