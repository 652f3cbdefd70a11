import {
  loadWeightsDirectory,
  METAGRAD_VERSION,
  Rng,
  SavedModelError,
  saveWeightsDirectory,
} from '@metagrad/core';
import { z } from 'zod';
import type { LearnedOptimizer } from './learned-optimizer.js';
import { learnedOptimizerConfigSchema } from './learned-optimizer-config.js';
import { LstmOptimizer } from './lstm-optimizer.js';

const MANIFEST_FILE = 'optimizer.json';

const manifestSchema = z.object({
  format: z.literal('metagrad-learned-optimizer'),
  version: z.literal(1),
  metagradVersion: z.string(),
  config: learnedOptimizerConfigSchema,
  /** Free-form provenance: task family, run directory, evaluation. */
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/** A saved optimizer directory is unreadable, incomplete or inconsistent. */
export class SavedOptimizerError extends Error {
  constructor(dir: string, problem: string) {
    super(`${dir}: not a usable learned optimizer: ${problem}`);
    this.name = 'SavedOptimizerError';
  }
}

/**
 * Saves a learned optimizer as a directory in @metagrad/core's saved-model format:
 * `optimizer.json` (configuration and weight layout) and `weights.bin` (float32, little-endian),
 * replaced as a whole, atomically.
 *
 * @example
 * ```ts
 * await saveLearnedOptimizer(optimizer, 'runs/quad/optimizer', { task: 'quadratic' });
 * ```
 */
export async function saveLearnedOptimizer(
  optimizer: LearnedOptimizer,
  dir: string,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  const manifest = {
    format: 'metagrad-learned-optimizer',
    version: 1,
    metagradVersion: METAGRAD_VERSION,
    config: optimizer.config(),
    metadata,
  };
  saveWeightsDirectory(dir, MANIFEST_FILE, manifest, await optimizer.weightValues());
}

/**
 * Loads a learned optimizer saved by {@link saveLearnedOptimizer}. The JSON is parsed and
 * validated with a schema and the weights are read as raw floats: loading never executes code.
 *
 * @example
 * ```ts
 * const optimizer = loadLearnedOptimizer('runs/quad/optimizer');
 * const tfOptimizer = new LearnedTfOptimizer(optimizer); // drop-in tf.train.Optimizer
 * ```
 */
export function loadLearnedOptimizer(dir: string): LstmOptimizer {
  let saved: ReturnType<typeof loadWeightsDirectory<typeof manifestSchema>>;
  try {
    saved = loadWeightsDirectory(dir, MANIFEST_FILE, manifestSchema);
  } catch (error) {
    throw new SavedOptimizerError(
      dir,
      error instanceof SavedModelError ? error.problem : (error as Error).message,
    );
  }
  const optimizer = new LstmOptimizer(saved.manifest.config, new Rng(0));
  try {
    optimizer.setWeightValues(saved.weights);
  } catch (error) {
    optimizer.dispose();
    throw new SavedOptimizerError(dir, (error as Error).message);
  }
  return optimizer;
}
