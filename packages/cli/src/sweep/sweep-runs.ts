import { createHash } from 'node:crypto';
import { ConfigError, Rng } from '@metagrad/core';
import { checkKnownSettings } from '../flags/config-file.js';
import { planTraining, type TrainerConfig } from '../run/training-plan.js';
import { hostedSchema } from '../trainers/trainer-flags.js';
import { trainerNamed } from '../trainers/trainer-registry.js';
import type { AxisDistribution, SweepSpecFile } from './sweep-spec.js';

/** One run of a sweep, resolved: what it sets, its whole validated config, and its id. */
export interface SweepRun {
  /** `<trainer>-<hash>`: a hash of the trainer and the resolved config, so the same run has the same id. */
  id: string;
  trainer: string;
  /** The settings this run gives on top of the trainer's defaults (base, axes, seed). */
  settings: Record<string, unknown>;
  /** The settings that vary across the sweep, with this run's values. */
  varying: Record<string, unknown>;
  /** The resolved config, as `metagrad <trainer> train` would run it. */
  config: TrainerConfig;
}

/**
 * Every run of a sweep, in a fixed order (grid points in the order listed, then random draws, then
 * seeds), each validated as its training command would validate it: a value the trainer refuses is
 * a ConfigError naming the setting, its value and the run. Runs that resolve to the same config are
 * one run.
 */
export async function resolveSweepRuns(file: SweepSpecFile): Promise<SweepRun[]> {
  const { spec, base } = file;
  const trainer = trainerNamed(spec.trainer);
  const points = crossed(gridPoints(spec.grid), randomPoints(spec.random));
  const varyingKeys = [
    ...Object.keys(spec.grid),
    ...Object.keys(spec.random?.axes ?? {}),
    ...(spec.seeds.length > 1 ? ['seed'] : []),
  ];
  const runs = new Map<string, SweepRun>();
  for (const point of points) {
    for (const seed of spec.seeds) {
      const settings: Record<string, unknown> = { ...base, ...point, seed };
      checkKnownSettings(settings, hostedSchema(trainer), file.path);
      const varying = Object.fromEntries(varyingKeys.map((k) => [k, settings[k]]));
      let config: TrainerConfig;
      try {
        ({ config } = await planTraining({}, trainer, settings));
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new ConfigError(
          error.field,
          error.value,
          `${error.reason}; in the run ${JSON.stringify(varying)} of ${file.path}`,
        );
      }
      const id = runId(trainer.name, config);
      if (!runs.has(id)) runs.set(id, { id, trainer: trainer.name, settings, varying, config });
    }
  }
  return [...runs.values()];
}

/** `<trainer>-<first 16 hex digits of sha256(trainer, config with sorted keys)>`. */
export function runId(trainer: string, config: Record<string, unknown>): string {
  const hash = createHash('sha256').update(canonicalJson({ trainer, config })).digest('hex');
  return `${trainer}-${hash.slice(0, 16)}`;
}

/** JSON with every object's keys sorted: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function gridPoints(grid: Record<string, unknown[]>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(grid))
    points = points.flatMap((point) => values.map((value) => ({ ...point, [key]: value })));
  return points;
}

/** `count` draws of every axis, in the axes' sorted order, from the sweep's own seed. */
function randomPoints(
  random: { count: number; seed: number | string; axes: Record<string, AxisDistribution> } | undefined,
) {
  if (!random) return [{}];
  const rng = new Rng(random.seed).child('sweep');
  const axes = Object.entries(random.axes).sort(([a], [b]) => (a < b ? -1 : 1));
  return Array.from({ length: random.count }, () =>
    Object.fromEntries(axes.map(([name, axis]) => [name, draw(axis, rng)])),
  );
}

function draw(axis: AxisDistribution, rng: Rng): unknown {
  if ('choice' in axis) return axis.choice[rng.int(axis.choice.length)];
  if ('uniform' in axis) return axis.uniform[0] + (axis.uniform[1] - axis.uniform[0]) * rng.next();
  if ('logUniform' in axis) {
    const [low, high] = axis.logUniform.map(Math.log) as [number, number];
    return Math.exp(low + (high - low) * rng.next());
  }
  const [low, high] = axis.intUniform;
  return low + rng.int(high - low + 1);
}

function crossed(a: Record<string, unknown>[], b: Record<string, unknown>[]): Record<string, unknown>[] {
  return a.flatMap((x) => b.map((y) => ({ ...x, ...y })));
}
