import { dirname, resolve } from 'node:path';
import { ConfigError, parseConfig } from '@metagrad/core';
import { z } from 'zod';
import { readConfigFile, readJsonObjectFile } from '../flags/config-file.js';

/** A random axis: a choice among values, or a uniform, log-uniform or integer-uniform range. */
export const axisDistributionSchema = z.union([
  z.strictObject({ choice: z.array(z.unknown()).min(1) }),
  z.strictObject({ uniform: z.tuple([z.number(), z.number()]) }),
  z.strictObject({ logUniform: z.tuple([z.number().positive(), z.number().positive()]) }),
  z.strictObject({ intUniform: z.tuple([z.number().int(), z.number().int()]) }),
]);
export type AxisDistribution = z.infer<typeof axisDistributionSchema>;

/** What a sweep spec file holds (JSON). Settings are named as in a `--config` file. */
export const sweepSpecSchema = z.strictObject({
  /** The sweep's name: its runs go to `<runs-root>/<name>/`. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" and "-", at most 64'),
  /** The trainer every run uses (`l2l`, `rl2`, or a registered one). */
  trainer: z.string().default('l2l'),
  /** Settings every run shares: an object, or a config or recipe file (a path from the spec's folder). */
  base: z.union([z.string(), z.record(z.string(), z.unknown())]).default({}),
  /** Settings to cross: every combination of the listed values. */
  grid: z.record(z.string(), z.array(z.unknown()).min(1)).default({}),
  /** Settings drawn at random: `count` draws from the sweep's own `seed`, crossed with the grid. */
  random: z
    .strictObject({
      count: z.number().int().positive().max(10_000),
      seed: z.union([z.number().int(), z.string()]),
      axes: z.record(z.string(), axisDistributionSchema),
    })
    .optional(),
  /** Training seeds: every setting is run once per seed. */
  seeds: z.array(z.union([z.number().int(), z.string()])).min(1),
});
export type SweepSpec = z.infer<typeof sweepSpecSchema>;

/** A spec as read from its file: validated, with a base file read and named. */
export interface SweepSpecFile {
  path: string;
  spec: SweepSpec;
  /** The shared settings (from `base`, read from its file where it is a path). */
  base: Record<string, unknown>;
}

/**
 * Reads and validates a sweep spec; anything wrong is a one-line ConfigError (exit 2) naming the
 * field (`spec.grid.metaLr`) and its value. `schemaOf` gives the trainer's settings, so that a base
 * file is checked like a `--config` file.
 */
export function readSweepSpec(path: string, schemaOf: (trainer: string) => z.ZodObject): SweepSpecFile {
  const spec = parseConfig(sweepSpecSchema, readJsonObjectFile('spec', path), 'spec');
  for (const [name, axis] of Object.entries(spec.random?.axes ?? {})) checkRange(name, axis);
  const schema = schemaOf(spec.trainer);
  const base =
    typeof spec.base === 'string' ? readConfigFile(resolve(dirname(path), spec.base), schema) : spec.base;
  const overlap = Object.keys(spec.grid).find((k) => k in (spec.random?.axes ?? {}));
  if (overlap) throw new ConfigError(`spec.random.axes.${overlap}`, overlap, 'is also a grid axis');
  if ('seed' in spec.grid || 'seed' in (spec.random?.axes ?? {}))
    throw new ConfigError('spec.grid.seed', 'seed', 'seeds are listed in "seeds"');
  return { path, spec, base };
}

function checkRange(name: string, axis: AxisDistribution): void {
  const range = 'uniform' in axis ? axis.uniform : 'logUniform' in axis ? axis.logUniform : undefined;
  const ints = 'intUniform' in axis ? axis.intUniform : undefined;
  const [low, high] = range ?? ints ?? [0, 0];
  if (low > high)
    throw new ConfigError(`spec.random.axes.${name}`, [low, high], 'the low end is above the high');
}
