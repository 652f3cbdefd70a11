import {
  CheckpointStore,
  ConfigError,
  DECAY_SCHEDULES,
  kernelsSchema,
  type Objective,
  parseConfig,
  seedSchema,
  workersSchema,
} from '@metagrad/core';
import { z } from 'zod';
import { META_OBJECTIVES } from './meta-gradient.js';

/** Meta-training settings, validated at the edge with zod. */
export const metaTrainConfigSchema = z.object({
  epochs: z.number().int().positive().max(1e6).default(200).describe('epochs (fresh training tasks each)'),
  steps: z
    .number()
    .int()
    .positive()
    .max(1e5)
    .default(100)
    .describe("inner steps per epoch (the optimizee's horizon; paper: 100)"),
  unroll: z
    .number()
    .int()
    .positive()
    .max(1e5)
    .default(20)
    .describe('truncation length for backpropagation through time (paper: 20)'),
  truncation: z
    .enum(['constant', 'growing'])
    .default('constant')
    .describe('truncation schedule: constant unrolls, or unrolls growing from --start-unroll to --unroll'),
  startUnroll: z
    .number()
    .int()
    .positive()
    .max(1e5)
    .default(5)
    .describe('growing: the unroll length at epoch 0 (at most --unroll)'),
  growEpochs: z
    .number()
    .int()
    .nonnegative()
    .max(1e6)
    .optional()
    .describe('growing: epochs over which unrolls grow to --unroll (default: half the epochs)'),
  instances: z
    .number()
    .int()
    .positive()
    .max(1e5)
    .default(128)
    .describe('task instances per epoch, run side by side (paper, quadratics: 128)'),
  metaLearningRate: z
    .number()
    .positive()
    .max(10)
    .default(3e-3)
    .describe("Adam step size for the optimizer's weights"),
  metaLearningRateSchedule: z
    .enum(DECAY_SCHEDULES)
    .default('constant')
    .describe(
      "schedule of the optimizer's Adam step size over the epochs (linear or cosine: to 0 at the end)",
    ),
  metaObjective: z
    .enum(META_OBJECTIVES)
    .default('loss')
    .describe("each inner step's term of the meta-loss: the mean loss (paper), or the mean log loss"),
  clipNorm: z.number().positive().max(1e6).default(1).describe('global norm the meta-gradient is clipped to'),
  secondOrder: z
    .boolean()
    .default(false)
    .describe(
      "differentiate through the optimizee's gradients (slow; fails for ops tfjs cannot differentiate twice)",
    ),
  evalEvery: z
    .number()
    .int()
    .positive()
    .max(1e6)
    .default(10)
    .describe('evaluate on held-out tasks every N epochs'),
  evalInstances: z.number().int().positive().max(1e5).default(128).describe('held-out task instances'),
  checkpointEvery: z
    .number()
    .int()
    .positive()
    .max(1e6)
    .default(10)
    .describe('write a checkpoint every N epochs'),
  keepCheckpoints: z.number().int().positive().max(1000).default(3).describe('checkpoints to keep'),
  estimator: z
    .enum(['tbptt', 'es', 'pes'])
    .default('tbptt')
    .describe('meta-gradient estimator: truncated backpropagation, evolution strategies, or persistent ES'),
  particles: z
    .number()
    .int()
    .positive()
    .max(4096)
    .default(8)
    .describe('es: perturbations per meta-step; pes: antithetic particle pairs'),
  sigma: z
    .number()
    .positive()
    .max(10)
    .default(0.01)
    .describe('es and pes: standard deviation of the weight perturbations'),
  antithetic: z.boolean().default(true).describe('es: evaluate each perturbation ±ε'),
  kernels: kernelsSchema,
  /**
   * Gradient workers: each meta-step's task batch is split across this many threads, the training
   * thread and N − 1 worker threads (1: the training thread alone; more needs a family with `spec()` whose tasks have `subset()`, as the
   * built-in ones do). Default: one per core. Results depend on it through float rounding only.
   */
  workers: workersSchema,
  seed: seedSchema.default(0),
});

/** Meta-training settings as given (defaults filled in by {@link resolveMetaTrainConfig}). */
export type MetaTrainConfigInput = z.input<typeof metaTrainConfigSchema>;
export type MetaTrainConfig = z.output<typeof metaTrainConfigSchema>;

/** Fills in defaults and validates; errors name the field and the value. */
export function resolveMetaTrainConfig(input: MetaTrainConfigInput = {}): MetaTrainConfig {
  const config = parseConfig(metaTrainConfigSchema, input, 'train');
  checkMetaTrainConfig(config);
  return config;
}

/** The checks that relate several settings (each alone is checked by the schema); errors name the field. */
export function checkMetaTrainConfig(
  config: Pick<MetaTrainConfig, 'steps' | 'unroll' | 'truncation' | 'startUnroll'>,
): void {
  if (config.steps % config.unroll !== 0)
    throw new ConfigError('steps', config.steps, `must be a multiple of unroll (${config.unroll})`);
  if (config.truncation === 'growing' && config.startUnroll > config.unroll)
    throw new ConfigError('startUnroll', config.startUnroll, `must be at most unroll (${config.unroll})`);
}

/** The `kind` of meta-training checkpoints in a {@link CheckpointStore}. */
export const META_TRAIN_CHECKPOINT_KIND = 'l2l-meta-train';

/** Where meta-training keeps checkpoints: the store {@link MetaTrainer} writes and a resume reads. */
export function metaTrainCheckpoints(dir: string, keep = 3): CheckpointStore {
  return new CheckpointStore(dir, { kind: META_TRAIN_CHECKPOINT_KIND, keep });
}

/** What meta-training judges a learned optimizer by. */
export const META_TRAIN_OBJECTIVE: Objective = { name: 'held-out log10 final loss', higherIsBetter: false };
