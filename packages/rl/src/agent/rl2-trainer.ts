import {
  type AdamState,
  adamFromValues,
  adamValues,
  type CheckpointData,
  CheckpointStore,
  ConfigError,
  checkpointState,
  checkpointTensors,
  clipAndApply,
  DECAY_SCHEDULES,
  decayed,
  disposeAdam,
  type Evaluation,
  type EventSink,
  histogramOf,
  initAdam,
  kernelsSchema,
  type NamedValues,
  type Objective,
  parseConfig,
  Rng,
  resolveKernels,
  type StepResult,
  seedSchema,
  type TrainEvent,
  TrainLoop,
  type TrainProgram,
  type TrainSummary,
  type WorkerPool,
  workersSchema,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Env } from '../env/env.js';
import { envFor } from '../env/env-registry.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { PpoGradientRunner } from '../parallel/ppo-gradient-runner.js';
import { rlWorkerPool } from '../parallel/rl-worker-pool.js';
import { TrpoRunner } from '../parallel/trpo-runner.js';
import { batchMoments } from './batch-moments.js';
import { trialGae } from './gae.js';
import { type GruInit, GruPolicy } from './gru-policy.js';
import type { PpoGradients, PpoHeads } from './ppo-gradients.js';
import { Rl2Agent, type Rl2AgentOptions } from './rl2-agent.js';
import { appendTimeInputs, rl2InputSize, TIME_INPUTS } from './rl2-input.js';
import { collectTrials, type Rollout } from './rollout.js';
import { ValueNormalizer, valueNormalizerStateSchema } from './value-normalizer.js';

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
   * `shared`: one GRU with policy and value heads. `separate`: a second GRU of the same size learns
   * the values (as pytorch_rl2 does), so that value regression does not compete with the policy for
   * the policy network's units; it doubles the compute per iteration.
   */
  valueNetwork: z
    .enum(['shared', 'separate'])
    .default('shared')
    .describe('shared (one GRU, two heads) or separate (a second GRU for values)'),
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
   * Gradient workers: each PPO minibatch's trials are split across this many worker threads (1: on
   * the training thread). Default: one per core. Results depend on it through float rounding only.
   */
  workers: workersSchema,
  seed: seedSchema.default(0),
});

export type Rl2ConfigInput = z.input<typeof rl2ConfigSchema>;
export type Rl2Config = z.output<typeof rl2ConfigSchema>;

/** The loss terms of one PPO gradient. */
type PpoTerms = Omit<PpoGradients, 'grads'>;

/** The most environment steps one iteration may take (batch × episodes × episode length): ~10⁷. */
export const MAX_ITERATION_STEPS = 10_000_000;

/**
 * Refuses an iteration too large to hold in memory, naming `batch`: each bounded setting can be
 * fine while their product is not (10⁵ trials × 10⁴ episodes).
 */
export function checkIterationSize(config: Pick<Rl2Config, 'batch' | 'episodes'>, env: Env): void {
  const steps = config.batch * config.episodes * env.episodeLength;
  if (steps > MAX_ITERATION_STEPS)
    throw new ConfigError(
      'batch',
      config.batch,
      `batch × episodes × episode length = ${steps.toExponential(2)} steps per iteration, more than ${MAX_ITERATION_STEPS.toExponential(0)}; lower batch or episodes`,
    );
}

/** The checks that relate several settings (each alone is checked by the schema); errors name the field. */
export function checkRl2Config(
  config: Pick<Rl2Config, 'algorithm' | 'valueNetwork' | 'timeInputs' | 'popArt' | 'normalizeValues'>,
): void {
  if (config.timeInputs === 'critic' && config.valueNetwork !== 'separate')
    throw new ConfigError(
      'timeInputs',
      config.timeInputs,
      'a shared network is its own critic: use both, or --value-network separate',
    );
  if (config.popArt && !config.normalizeValues)
    throw new ConfigError('popArt', config.popArt, 'rescales normalised values: needs --normalize-values');
  if (config.algorithm === 'trpo' && config.valueNetwork !== 'separate')
    throw new ConfigError(
      'valueNetwork',
      config.valueNetwork,
      'trpo fits a separate value network; use --value-network separate',
    );
}

/** Settings each algorithm ignores: its name selects them. */
const IGNORED_BY: Record<Rl2Config['algorithm'], (keyof Rl2Config)[]> = {
  ppo: ['maxKl', 'cgIterations', 'cgDamping', 'backtracks', 'backtrackRatio', 'fisherFraction'],
  trpo: ['clip', 'entropyCoefficient', 'entropySchedule'],
};

/**
 * The settings of `config` that its algorithm never reads (TRPO has no clip or entropy bonus, PPO no
 * trust region), so that two runs differing only in them count as one setting.
 */
export function unusedRl2Settings(config: Pick<Rl2Config, 'algorithm'>): (keyof Rl2Config)[] {
  // A copy: a caller that edits its list must not change what every later caller is told.
  return [...IGNORED_BY[config.algorithm]];
}

/** The `kind` of RL² checkpoints in a {@link CheckpointStore}. */
export const RL2_CHECKPOINT_KIND = 'rl2-train';

/** Where RL² training keeps checkpoints: the store {@link Rl2Trainer} writes and a resume reads. */
export function rl2Checkpoints(dir: string, keep = 3): CheckpointStore {
  return new CheckpointStore(dir, { kind: RL2_CHECKPOINT_KIND, keep });
}

/** The trainer's own plain-JSON part of a checkpoint; its tensors are `weights`, `critic` and `adam`. */
const checkpointStateSchema = z.object({
  adamStep: z.number().int().nonnegative(),
  valueNormalizer: valueNormalizerStateSchema,
});

/** (trial, step) rows whose action probabilities each evaluation records for its histogram. */
const RECORDED_PROBABILITY_ROWS = 4096;

/** What RL² training judges an agent by. */
export const RL2_OBJECTIVE: Objective = { name: 'held-out mean return', higherIsBetter: true };

/** Options of {@link Rl2Trainer}. */
export interface Rl2TrainerOptions {
  config: Rl2ConfigInput;
  /** The environment distribution to train on; default: the one `config.env` names. */
  env?: Env;
  events?: EventSink<TrainEvent>;
  /** Directory for checkpoints ({@link rl2Checkpoints}); none are written without it. */
  checkpointDir?: string;
  /** Continue from this checkpoint. */
  resumeFrom?: CheckpointData;
  /** Extra plain JSON each checkpoint records, e.g. the metrics log's length for a clean resume. */
  checkpointNotes?: () => Record<string, unknown>;
  /** Awaited before every iteration: lets a UI pause training or yield to key handlers. */
  beforeIteration?: () => Promise<void>;
}

/**
 * Trains an RL² agent (Duan et al. 2016) with PPO: each iteration samples a batch of tasks, runs
 * whole trials with the recurrent policy (memory kept across episodes), computes trial-level GAE,
 * and takes clipped-PPO steps with backpropagation through whole trials, Adam and global-norm
 * clipping (per network, with a separate value network) through @metagrad/core's `clipAndApply`.
 * Non-finite gradients, and updates that would make a weight non-finite, are skipped and counted.
 * It is a `TrainProgram`: @metagrad/core's `TrainLoop` runs it, with held-out evaluation, best
 * weights, verified checkpoints and the shared events. The same seed, backend, kernels and worker
 * count give the same numbers, also across a resume.
 *
 * @example
 * ```ts
 * const trainer = new Rl2Trainer({ config: { env: 'bandit', arms: 5, episodes: 10 } });
 * const summary = await trainer.train();
 * ```
 */
export class Rl2Trainer implements TrainProgram {
  readonly config: Rl2Config;
  readonly env: Env;
  readonly policy: GruPolicy;
  /** The value network, with `valueNetwork: 'separate'` (otherwise the policy's value head). */
  readonly critic: GruPolicy | undefined;
  readonly unit = 'iteration';
  readonly objective = RL2_OBJECTIVE;
  readonly headline = ['meanReturn', 'entropy'];
  readonly total: number;
  private adam: AdamState;
  private readonly pool: WorkerPool;
  private readonly gradients: PpoGradientRunner;
  private readonly trpo: TrpoRunner;
  private readonly loop: TrainLoop;
  private readonly root: Rng;
  private readonly valueNormalizer = new ValueNormalizer();

  constructor(options: Rl2TrainerOptions) {
    this.config = parseConfig(rl2ConfigSchema, options.config, 'rl2');
    this.env = options.env ?? envFor(this.config);
    checkRl2Config(this.config);
    checkIterationSize(this.config, this.env);
    this.root = new Rng(this.config.seed);
    this.total = this.config.iterations;
    const { timeInputs } = this.config;
    const shapeWithTime = (withTime: boolean) => ({
      inputSize: rl2InputSize(this.env.observationSize, this.env.numActions, withTime),
      hidden: this.config.hidden,
      actions: this.env.numActions,
      embedding: this.config.embedding,
    });
    const init: GruInit = {
      updateGateBias: this.config.gruInit,
      maxTimescale: this.config.episodes * this.env.episodeLength,
    };
    this.policy = new GruPolicy(shapeWithTime(timeInputs === 'both'), this.root.child('weights'), init);
    this.critic =
      this.config.valueNetwork === 'separate'
        ? new GruPolicy(shapeWithTime(timeInputs !== 'none'), this.root.child('critic-weights'), init)
        : undefined;
    for (const network of [this.policy, this.critic]) if (network) network.kernels = this.config.kernels;
    // Fail now, not at the first step, when fused kernels are asked for on a backend without them.
    resolveKernels(this.config.kernels);
    this.adam = initAdam(this.trainedVariables());
    this.pool = rlWorkerPool(this.config.workers);
    this.gradients = new PpoGradientRunner(this.pool);
    this.trpo = new TrpoRunner(this.pool);
    this.loop = new TrainLoop({
      program: this,
      events: options.events,
      checkpoints: options.checkpointDir
        ? rl2Checkpoints(options.checkpointDir, this.config.keepCheckpoints)
        : undefined,
      resumeFrom: options.resumeFrom,
      checkpointNotes: options.checkpointNotes,
      evalEvery: this.config.evalEvery,
      checkpointEvery: this.config.checkpointEvery,
      beforeStep: options.beforeIteration,
    });
  }

  /** Asks training to stop after the current iteration, writing a checkpoint. */
  stop(): void {
    this.loop.stop();
  }

  /** Asks for a checkpoint after the current iteration. */
  requestCheckpoint(): void {
    this.loop.requestCheckpoint();
  }

  /** The trained agent as a {@link Policy} for evaluation. */
  agent(): Rl2Agent {
    return new Rl2Agent(this.policy, this.env, rl2AgentOptions(this.config));
  }

  /** The policy network's weights at the best evaluation so far (null before one ran). */
  get bestWeightValues(): NamedValues[] | null {
    return this.loop.bestWeights;
  }

  /** Trains for the configured iterations, or until {@link stop}. */
  train(): Promise<TrainSummary> {
    return this.loop.run();
  }

  /** One iteration: a batch of whole trials, then PPO epochs over it. */
  async step(iteration: number): Promise<StepResult> {
    const rng = this.root.child('iteration').child(iteration);
    const rollout = collectTrials(this.policy, this.env, {
      batch: this.config.batch,
      episodes: this.config.episodes,
      taskRng: rng.child('tasks'),
      actionRng: rng.child('actions'),
      outcomeRng: rng.child('outcomes'),
      timeInputs: this.config.timeInputs === 'both',
    });
    const { stats, skipped } = await this.update(rollout, rng.child('minibatches'), iteration);
    return {
      metrics: {
        meanReturn: rollout.totals.reduce((a, b) => a + b, 0) / rollout.batch,
        ...stats,
        skippedMinibatches: skipped,
        learningRate: this.learningRateAt(iteration),
        ...(this.config.algorithm === 'ppo' && { entropyCoefficient: this.entropyCoefficientAt(iteration) }),
      },
      skipped: skipped > 0,
    };
  }

  /** Mean total reward on held-out trials (their own stream; they select the best weights). */
  evaluate(): Evaluation {
    const agent = new Rl2Agent(this.policy, this.env, {
      ...rl2AgentOptions(this.config),
      recordProbabilities: RECORDED_PROBABILITY_ROWS,
    });
    const result = evaluatePolicy(agent, this.env, {
      episodes: this.config.episodes,
      trials: this.config.evalTrials,
      seed: rl2EvaluationSeed(this.config.seed),
    });
    const histograms = { actionProbability: histogramOf(agent.takeRecordedProbabilities()) };
    return { value: result.mean, stderr: result.stderr, histograms };
  }

  /** The agent's weights (the policy network). */
  weights(): NamedValues[] {
    return this.policy.weightValues();
  }

  checkpoint(): { state: Record<string, unknown>; tensors: Record<string, NamedValues[]> } {
    const state: z.infer<typeof checkpointStateSchema> = {
      adamStep: this.adam.step,
      valueNormalizer: this.valueNormalizer.state(),
    };
    return {
      state,
      tensors: {
        weights: this.policy.weightValues(),
        ...(this.critic && { critic: this.critic.weightValues() }),
        adam: adamValues(this.adam, this.trainedVariableNames()),
      },
    };
  }

  restore(raw: Record<string, unknown>, tensors: Record<string, NamedValues[]>): void {
    const state = checkpointState(checkpointStateSchema, raw);
    const group = (name: string) => checkpointTensors(tensors, name);
    this.policy.setWeightValues(group('weights'));
    // The critic's absence is named: a run trained with a shared value head cannot resume as separate.
    if (this.critic) this.critic.setWeightValues(group('critic'));
    const adam = adamFromValues(
      state.adamStep,
      group('adam'),
      this.trainedVariables(),
      this.trainedVariableNames(),
    );
    disposeAdam(this.adam);
    this.adam = adam;
    this.valueNormalizer.restore(state.valueNormalizer);
  }

  /**
   * What Adam trains: under PPO, the one network on all loss terms, or the policy network on the
   * policy and entropy terms and the value network on the value term; under TRPO, only the value
   * network (the policy moves by natural-gradient steps). Each is clipped on its own.
   */
  private trainedNetworks(): { network: GruPolicy; heads: PpoHeads }[] {
    const critic = this.critic && { network: this.critic, heads: { policy: false, value: true } };
    if (this.config.algorithm === 'trpo') return [critic!];
    return critic
      ? [{ network: this.policy, heads: { policy: true, value: false } }, critic]
      : [{ network: this.policy, heads: { policy: true, value: true } }];
  }

  /** All trained variables, in the order the optimizer first sees them. */
  private trainedVariables(): tf.Variable[] {
    return this.trainedNetworks().flatMap(({ network }) => network.variables);
  }

  /**
   * The policy and value updates of one iteration: PPO epochs over the rollout, or one TRPO step
   * followed by the value network's epochs. Returns the last minibatch's loss terms (and TRPO's
   * step report), the first trained network's gradient norm, and how many minibatch updates were
   * skipped.
   */
  private async update(rollout: Rollout, rng: Rng, iteration: number) {
    const cfg = this.config;
    const gaeLambda = this.gaeLambdaAt(iteration);
    const learningRate = this.learningRateAt(iteration);
    const settings = { ...cfg, entropyCoefficient: this.entropyCoefficientAt(iteration) };
    // What the value network sees: the policy's inputs, with the time inputs when only it has them.
    const criticRollout =
      cfg.timeInputs === 'critic'
        ? {
            ...rollout,
            inputs: appendTimeInputs(rollout.inputs, rollout.batch, rollout.inputSize, {
              episodeLength: this.env.episodeLength,
              episodes: cfg.episodes,
            }),
            inputSize: rollout.inputSize + TIME_INPUTS,
          }
        : rollout;
    const predicted = this.critic ? valuesOf(this.critic, criticRollout) : rollout.values;
    // The value head predicts normalised returns when value normalisation is on.
    const values = cfg.normalizeValues ? this.valueNormalizer.denormalize(predicted) : predicted;
    const gae = trialGae(rollout.rewards, values, cfg.discount, gaeLambda);
    if (cfg.normalizeValues) {
      const before = this.valueNormalizer.stats;
      this.valueNormalizer.update(gae.returns);
      if (cfg.popArt) preserveValueOutputs(this.critic ?? this.policy, before, this.valueNormalizer.stats);
    }
    const targets = cfg.normalizeValues ? this.valueNormalizer.normalize(gae.returns) : gae.returns;
    const advantages = standardize(gae.advantages);
    const stats: Record<string, number> = { policyLoss: 0, valueLoss: 0, entropy: 0, gradientNorm: 0 };
    if (cfg.algorithm === 'trpo') {
      const fisherTrials = sampleTrials(rollout.batch, cfg.fisherFraction, rng.child('fisher'));
      const step = await this.trpo.step(this.policy, { rollout, advantages, fisherTrials }, cfg);
      Object.assign(stats, {
        policyLoss: -step.surrogateGain,
        entropy: step.entropy,
        kl: step.kl,
        stepAccepted: step.accepted ? 1 : 0,
        backtracks: step.backtracks,
        cgResidual: step.cgResidual,
      });
    }
    let skipped = 0;
    const perMinibatch = Math.ceil(rollout.batch / cfg.minibatches);
    for (let epoch = 0; epoch < cfg.ppoEpochs; epoch++) {
      const order = Array.from({ length: rollout.batch }, (_, i) => i);
      const shuffleRng = rng.child(epoch);
      for (let i = order.length - 1; i > 0; i--) {
        const j = shuffleRng.int(i + 1);
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (let m = 0; m < cfg.minibatches; m++) {
        const trials = order.slice(m * perMinibatch, (m + 1) * perMinibatch);
        if (trials.length === 0) continue;
        const parts: {
          network: GruPolicy;
          heads: PpoHeads;
          grads: Record<string, tf.Tensor>;
          terms: PpoTerms;
        }[] = [];
        for (const { network, heads } of this.trainedNetworks()) {
          const source = {
            rollout: network === this.critic ? criticRollout : rollout,
            trials,
            advantages,
            returns: targets,
          };
          const { grads, ...terms } = await this.gradients.gradients(network, source, settings, heads);
          parts.push({ network, heads, grads, terms });
        }
        // Losses come from the network that trains on them (TRPO reported its own policy terms).
        const policyPart = parts.find((p) => p.heads.policy);
        const valuePart = parts.find((p) => p.heads.value)!;
        const result = clipAndApply(
          parts.map((p) => ({
            variables: p.network.variables,
            gradients: p.network.variables.map((v) => p.grads[v.name]!),
          })),
          this.adam,
          { learningRate },
          cfg.clipNorm,
          [
            valuePart.terms.value,
            ...(policyPart ? [policyPart.terms.policy, policyPart.terms.entropy] : []),
            ...parts.map((p) => p.terms.total),
          ],
        );
        this.adam = result.adam;
        if (!result.applied) skipped++;
        const [valueLoss, policyLoss, entropy] = result.checked;
        Object.assign(stats, {
          valueLoss,
          gradientNorm: result.norms[0],
          ...(policyPart && { policyLoss, entropy }),
        });
        tf.dispose(parts.flatMap((p) => Object.values(p.terms)));
      }
    }
    return { stats, skipped };
  }

  /** Names of {@link trainedVariables}, unique across the two networks (their Adam moments' keys). */
  private trainedVariableNames(): string[] {
    return this.trainedNetworks().flatMap(({ network, heads }) =>
      network.weightNames.map((name) => `${heads.policy ? 'policy' : 'critic'}/${name}`),
    );
  }

  /** Step size for `iteration` (0-based) under the configured schedule. */
  learningRateAt(iteration: number): number {
    const { learningRate, learningRateSchedule, iterations } = this.config;
    return decayed(learningRate, learningRateSchedule, iteration, iterations);
  }

  /** Entropy bonus weight for `iteration` (0-based) under the configured schedule. */
  entropyCoefficientAt(iteration: number): number {
    const { entropyCoefficient, entropySchedule, iterations } = this.config;
    return decayed(entropyCoefficient, entropySchedule, iteration, iterations);
  }

  /** GAE λ for `iteration` (0-based) under the config's `gaeLambdaSchedule`. */
  gaeLambdaAt(iteration: number): number {
    let lambda = this.config.gaeLambda;
    let from = -1;
    for (const entry of this.config.gaeLambdaSchedule) {
      if (entry.fromIteration <= iteration && entry.fromIteration > from) {
        lambda = entry.gaeLambda;
        from = entry.fromIteration;
      }
    }
    return lambda;
  }

  dispose(): void {
    void this.pool.dispose();
    this.policy.dispose();
    this.critic?.dispose();
    disposeAdam(this.adam);
  }
}

/**
 * The seed of the held-out trials that a run with root seed `seed` evaluates on and selects its best
 * weights by (a stream of its own, apart from training's and from any test seed).
 */
export function rl2EvaluationSeed(seed: number | string): string {
  return new Rng(seed).child('eval').seed;
}

/** How an {@link Rl2Agent} must run a network trained with `config` (its time inputs). */
export function rl2AgentOptions(config: Pick<Rl2Config, 'timeInputs' | 'episodes'>): Rl2AgentOptions {
  return config.timeInputs === 'both' ? { timeInputs: { episodes: config.episodes } } : {};
}

/**
 * PopArt's output-preserving rescale: when the statistics move from (μ, σ) to (μ', σ'), the value
 * head's W ← W σ/σ' and b ← (σ b + μ − μ')/σ', so μ' + σ'·(W'h + b') = μ + σ·(W h + b) for every h.
 */
export function preserveValueOutputs(
  network: GruPolicy,
  before: { mean: number; std: number },
  after: { mean: number; std: number },
): void {
  const { valueW, valueB } = network.weights;
  tf.tidy(() => {
    valueW!.assign(tf.mul(valueW!, before.std / after.std));
    valueB!.assign(tf.div(tf.add(tf.mul(valueB!, before.std), before.mean - after.mean), after.std));
  });
}

/** A value network's predictions for every step of a rollout, `[T][batch]`: one GRU op over all steps. */
function valuesOf(network: GruPolicy, rollout: Rollout): Float32Array[] {
  const { batch, steps, inputSize } = rollout;
  const values = tf.tidy(() => {
    const inputs = new Float32Array(steps * batch * inputSize);
    for (const [t, row] of rollout.inputs.entries()) inputs.set(row, t * batch * inputSize);
    const hidden = network.sequence(tf.tensor3d(inputs, [steps, batch, inputSize]));
    return network.valueHead(tf.reshape(hidden, [steps * batch, network.shape.hidden]), false);
  });
  // Read outside tidy (typed arrays are slow to return from it).
  const data = values.dataSync() as Float32Array;
  values.dispose();
  return rollout.inputs.map((_, t) => data.slice(t * batch, (t + 1) * batch));
}

/** ⌈fraction · batch⌉ distinct trial indices, drawn without replacement, in increasing order. */
function sampleTrials(batch: number, fraction: number, rng: Rng): number[] | undefined {
  const count = Math.ceil(fraction * batch);
  if (count >= batch) return undefined;
  const order = Array.from({ length: batch }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(batch - i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, count).sort((a, b) => a - b);
}

/** (x − mean) / std over every entry of a time-major batch. */
function standardize(rows: Float32Array[]): Float32Array[] {
  const { mean, meanSquare } = batchMoments(rows);
  const std = Math.sqrt(Math.max(meanSquare - mean * mean, 1e-12));
  return rows.map((row) => row.map((a) => (a - mean) / std));
}
