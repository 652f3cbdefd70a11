import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METAGRAD_VERSION, Rng, writeDirectoryAtomic } from '@metagrad/core';
import { z } from 'zod';
import type { LearnedOptimizer } from './learned-optimizer.js';
import { learnedOptimizerConfigSchema } from './learned-optimizer-config.js';
import { LstmOptimizer } from './lstm-optimizer.js';

const CONFIG_FILE = 'optimizer.json';
const WEIGHTS_FILE = 'weights.bin';

const manifestSchema = z.object({
  format: z.literal('metagrad-learned-optimizer'),
  version: z.literal(1),
  metagradVersion: z.string(),
  config: learnedOptimizerConfigSchema,
  weights: z.array(
    z.object({
      name: z.string(),
      shape: z.array(z.number().int().nonnegative()),
      offset: z.number().int().nonnegative(),
      length: z.number().int().nonnegative(),
    }),
  ),
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
 * Saves a learned optimizer as a directory: `optimizer.json` (configuration and weight layout)
 * and `weights.bin` (float32, little-endian). The directory is replaced as a whole, atomically.
 *
 * @example
 * ```ts
 * saveLearnedOptimizer(optimizer, 'runs/quad/optimizer', { task: 'quadratic' });
 * ```
 */
export function saveLearnedOptimizer(
  optimizer: LearnedOptimizer,
  dir: string,
  metadata: Record<string, unknown> = {},
): void {
  const weights = optimizer.weightValues();
  let offset = 0;
  const layout = weights.map((w) => {
    const entry = { name: w.name, shape: w.shape, offset, length: w.values.length };
    offset += w.values.length;
    return entry;
  });
  const all = new Float32Array(offset);
  weights.forEach((w, i) => {
    all.set(w.values, layout[i]!.offset);
  });
  const manifest = {
    format: 'metagrad-learned-optimizer',
    version: 1,
    metagradVersion: METAGRAD_VERSION,
    config: optimizer.config(),
    weights: layout,
    metadata,
  };
  writeDirectoryAtomic(dir, {
    [WEIGHTS_FILE]: new Uint8Array(all.buffer),
    [CONFIG_FILE]: `${JSON.stringify(manifest, null, 2)}\n`,
  });
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
  const configPath = join(dir, CONFIG_FILE);
  const weightsPath = join(dir, WEIGHTS_FILE);
  if (!existsSync(configPath)) throw new SavedOptimizerError(dir, `missing ${CONFIG_FILE}`);
  if (!existsSync(weightsPath)) throw new SavedOptimizerError(dir, `missing ${WEIGHTS_FILE}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new SavedOptimizerError(dir, `${CONFIG_FILE} is not JSON (${(error as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SavedOptimizerError(dir, `${CONFIG_FILE}: ${issue.path.join('.') || 'root'}: ${issue.message}`);
  }
  const manifest = parsed.data;
  const bytes = readFileSync(weightsPath);
  if (bytes.byteLength % 4 !== 0) throw new SavedOptimizerError(dir, `${WEIGHTS_FILE} is not float32 data`);
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  const weights = manifest.weights.map((w) => {
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (size !== w.length || w.offset + w.length > floats.length) {
      throw new SavedOptimizerError(dir, `weight ${w.name} does not fit ${WEIGHTS_FILE}`);
    }
    return { name: w.name, shape: w.shape, values: floats.slice(w.offset, w.offset + w.length) };
  });
  const optimizer = new LstmOptimizer(manifest.config, new Rng(0));
  try {
    optimizer.setWeightValues(weights);
  } catch (error) {
    optimizer.dispose();
    throw new SavedOptimizerError(dir, (error as Error).message);
  }
  return optimizer;
}
