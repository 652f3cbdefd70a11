import {
  CheckpointStore,
  DECAY_SCHEDULES,
  kernelsSchema,
  type Objective,
  Rng,
  seedSchema,
  workersSchema,
} from '@metagrad/core';
import { z } from 'zod';
import { GRU_CELLS } from './gru-policy.js';
import type { Rl2AgentOptions } from './rl2-agent.js';
import type { Rl2InputExtras } from './rl2-input.js';

/** RL² training settings, validated with zod; every field's description is its `--flag` help. */
export const rl2ConfigSchema = z.object({
  env: z
    .string()
    .min(1)
    .default('bandit')
    .describe('environment distribution: bandit, mdp, or a name registered with registerEnv'),
  arms: z.number().int().min(2).max(1000).default(5).describe('bandit arms (k)'),
  episodes: z.number().int().min(1).max(10_000).default(10).describe('episodes per trial (n)'),
  hidden: z.number().int().positive().max(4096).default(64).describe('GRU units'),
  embedding: z
    .number()
    .int()
    .nonnegative()
    .max(4096)
    .default(0)
    .describe("units of a ReLU input embedding before the GRU (the paper's φ(s, a, r, d)); 0: none"),
  /**
   * Slots of an addressable memory beside the GRU (`slotMemorySequence`): each step
   * writes learned features of its input at a learned soft address, and the heads read means of
   * what was written where they look. 0: none (the paper's network).
   */
  memorySlots: z
    .number()
    .int()
    .nonnegative()
    .max(4096)
    .default(0)
    .describe('slots of an addressable memory of the trial beside the GRU, read by the heads; 0: none'),
  memoryHeads: z
    .number()
    .int()
    .positive()
    .max(256)
    .default(2)
    .describe('with --memory-slots: reads of the memory per step'),
  memoryWidth: z
    .number()
    .int()
    .positive()
    .max(1024)
    .default(8)
    .describe('with --memory-slots: (value, count) feature pairs each step writes'),
  /**
   * How the memory addresses its slots: `observation`, one shared map of observations to slots,
   * from the previous observation for a write and the current one for a read (needs
   * `previousObservation`; see `SlotMemoryShape.keyedBy`), or `learned` from the whole input.
   */
  memoryKeys: z
    .enum(['learned', 'observation'])
    .default('observation')
    .describe('with --memory-slots: address slots by the (previous) observation, or learned from the input'),
  iterations: z.number().int().positive().max(1e7).default(200).describe('training iterations'),
  /**
   * `ppo`: clipped-surrogate epochs with Adam. `trpo` (the paper's, through rllab): one natural-gradient
   * step per iteration in a KL trust region, with no entropy bonus, and a separate value network
   * fitted by Adam over `ppoEpochs` × `minibatches` value-only minibatches.
   */
  algorithm: z
    .enum(['ppo', 'trpo'])
    .default('ppo')
    .describe('policy update: ppo (clipped surrogate, Adam) or trpo (natural gradient in a KL trust region)'),
  maxKl: z
    .number()
    .positive()
    .max(10)
    .default(0.01)
    .describe('trpo: trust region, the largest mean KL(π_old ‖ π_new) a step may take'),
  cgIterations: z
    .number()
    .int()
    .positive()
    .max(1000)
    .default(10)
    .describe('trpo: conjugate-gradient iterations'),
  cgDamping: z
    .number()
    .nonnegative()
    .max(1e3)
    .default(0.01)
    .describe('trpo: damping λ of the Fisher matrix (F + λI) in conjugate gradient'),
  backtracks: z
    .number()
    .int()
    .nonnegative()
    .max(100)
    .default(15)
    .describe('trpo: line-search steps, each shrinking the step by --backtrack-ratio'),
  backtrackRatio: z.number().gt(0).lt(1).default(0.8).describe('trpo: line-search shrink factor'),
  fisherFraction: z
    .number()
    .gt(0)
    .max(1)
    .default(0.2)
    .describe("trpo: fraction of each iteration's trials that Fisher-vector products average over"),
  batch: z.number().int().positive().max(1e5).default(512).describe('trials per iteration'),
  ppoEpochs: z
    .number()
    .int()
    .positive()
    .max(1000)
    .default(4)
    .describe('PPO epochs per iteration (trpo: epochs fitting the value network)'),
  minibatches: z.number().int().positive().max(1e5).default(4).describe('minibatches per PPO epoch'),
  learningRate: z.number().positive().max(10).default(3e-3).describe('Adam step size'),
  learningRateSchedule: z
    .enum(DECAY_SCHEDULES)
    .default('constant')
    .describe("step-size schedule (linear, as OpenAI baselines' PPO, or cosine: to 0 at the last iteration)"),
  clipNorm: z.number().positive().max(1e6).default(1).describe('global gradient-norm clip, per network'),
  discount: z.number().min(0).max(1).default(0.99).describe('discount γ'),
  gaeLambda: z.number().min(0).max(1).default(0.3).describe('GAE λ'),
  /**
   * Piecewise-constant GAE λ: from each entry's `fromIteration` (0-based) on, its `gaeLambda`
   * replaces the one above. E.g. `[{ "fromIteration": 350, "gaeLambda": 0.8 }]` starts on
   * low-variance advantages that lean on the value estimates and moves to ones that lean on sampled
   * returns once the values have been learned. Set in a `--config` file.
   */
  gaeLambdaSchedule: z
    .array(
      z.object({
        fromIteration: z.number().int().nonnegative(),
        gaeLambda: z.number().min(0).max(1),
      }),
    )
    .default([]),
  clip: z.number().positive().max(10).default(0.2).describe('PPO clip ε'),
  valueCoefficient: z.number().nonnegative().max(1e3).default(0.5).describe('value loss weight'),
  entropyCoefficient: z
    .number()
    .nonnegative()
    .max(1e3)
    .default(0.01)
    .describe('entropy bonus weight (ppo; trpo has none)'),
  entropySchedule: z
    .enum(DECAY_SCHEDULES)
    .default('constant')
    .describe('entropy bonus schedule (linear or cosine: to 0 at the last iteration)'),
  /**
   * Tell networks where a step lies in the trial (step within the episode, episode index, fraction
   * of the trial remaining; see `timeInputs`): `critic` gives them to the separate value network
   * only, so the policy is unchanged; `both` to the policy network too (the shared one, with
   * `valueNetwork: 'shared'`).
   */
  timeInputs: z
    .enum(['none', 'critic', 'both'])
    .default('none')
    .describe(
      'time inputs (step, episode, fraction of the trial left) for the value network, or both networks',
    ),
  /**
   * Append the previous step's observation to each input: the state the previous action was taken
   * in, beside the reward it brought. Without it (the paper's input), a network that is to remember
   * rewards per state and action must carry the previous state across a step in its memory.
   */
  previousObservation: z
    .boolean()
    .default(false)
    .describe("append the previous step's observation (the state the rewarded action was taken in)"),
  /**
   * `shared`: one GRU with policy and value heads. `separate`: a second GRU of the same size learns
   * the values (as pytorch_rl2 does), so that value regression does not compete with the policy for
   * the policy network's units; it doubles the compute per iteration.
   */
  valueNetwork: z
    .enum(['shared', 'separate'])
    .default('shared')
    .describe('shared (one GRU, two heads) or separate (a second GRU for values)'),
  /**
   * The recurrent cell: `gru` (tanh candidate; fused kernels), or `layer-norm-relu`, the cell of
   * the RL² references (layer-normalised gate products with learned gains and a ReLU candidate;
   * composite tfjs ops, slower). See {@link GruCell}.
   */
  cell: z
    .enum(GRU_CELLS)
    .default('gru')
    .describe('recurrent cell: gru, or layer-norm-relu (layer-normalised, ReLU candidate; no fused kernel)'),
  /**
   * GRU update-gate bias at initialisation: `zero`, or `chrono` (memory timescales spread over 2…
   * trial length steps; see {@link GruInit}). On MDPs (n = 10) it learned faster in the first
   * iterations but levelled off where `zero` did.
   */
  gruInit: z.enum(['zero', 'chrono']).default('zero').describe('GRU update-gate bias at initialisation'),
  /** Learn values on a unit scale (running return statistics); see {@link ValueNormalizer}. */
  normalizeValues: z
    .boolean()
    .default(true)
    .describe('learn values on a unit scale (running return statistics)'),
  /**
   * With `normalizeValues`: when the return statistics move, rescale the value head so that its
   * predictions in return units are unchanged (PopArt's "preserving outputs", van Hasselt et al.
   * 2016). Without it, every statistics update shifts all value predictions at once.
   */
  popArt: z
    .boolean()
    .default(false)
    .describe('rescale the value head when the return statistics move (PopArt), so predictions are kept'),
  evalEvery: z
    .number()
    .int()
    .positive()
    .max(1e7)
    .default(25)
    .describe('held-out evaluation every N iterations'),
  evalTrials: z.number().int().positive().max(1e6).default(500).describe('held-out trials per evaluation'),
  checkpointEvery: z.number().int().positive().max(1e7).default(25).describe('checkpoint every N iterations'),
  keepCheckpoints: z.number().int().positive().max(1000).default(3).describe('checkpoints to keep'),
  kernels: kernelsSchema,
  /**
   * Gradient workers: each PPO minibatch's trials are split across this many threads, the training
   * thread and N − 1 worker threads (1: the training thread alone). Default: one per core. Results depend on it through float rounding only.
   */
  workers: workersSchema,
  seed: seedSchema.default(0),
});

export type Rl2ConfigInput = z.input<typeof rl2ConfigSchema>;
export type Rl2Config = z.output<typeof rl2ConfigSchema>;

/** The `kind` of RL² checkpoints in a {@link CheckpointStore}. */
export const RL2_CHECKPOINT_KIND = 'rl2-train';

/** Where RL² training keeps checkpoints: the store {@link Rl2Trainer} writes and a resume reads. */
export function rl2Checkpoints(dir: string, keep = 3): CheckpointStore {
  return new CheckpointStore(dir, { kind: RL2_CHECKPOINT_KIND, keep });
}

/** What RL² training judges an agent by. */
export const RL2_OBJECTIVE: Objective = { name: 'held-out mean return', higherIsBetter: true };

/**
 * The seed of the held-out trials that a run with root seed `seed` evaluates on and selects its best
 * weights by (a stream of its own, apart from training's and from any test seed).
 */
export function rl2EvaluationSeed(seed: number | string): string {
  return new Rng(seed).child('eval').seed;
}

/** What the inputs of a network trained with `config` hold beyond the paper's. */
export function rl2InputExtras(
  config: Pick<Rl2Config, 'timeInputs' | 'episodes' | 'previousObservation'>,
  network: 'policy' | 'critic',
): Rl2InputExtras {
  const timed = network === 'policy' ? config.timeInputs === 'both' : config.timeInputs !== 'none';
  return {
    ...(config.previousObservation && { previousObservation: true }),
    ...(timed && { timeEpisodes: config.episodes }),
  };
}

/** How an {@link Rl2Agent} must run a network trained with `config` (what its inputs hold). */
export function rl2AgentOptions(
  config: Pick<Rl2Config, 'timeInputs' | 'episodes' | 'previousObservation'>,
): Rl2AgentOptions {
  return { inputs: rl2InputExtras(config, 'policy') };
}
