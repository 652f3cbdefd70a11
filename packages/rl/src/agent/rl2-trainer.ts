import {
  type AdamState,
  adamFromValues,
  adamValues,
  type CheckpointData,
  checkpointState,
  checkpointTensors,
  clipAndApply,
  disposeAdam,
  type Evaluation,
  type EventSink,
  histogramOf,
  initAdam,
  LoopedProgram,
  type NamedValues,
  type ProgramCheckpoint,
  parseConfig,
  Rng,
  resolveKernels,
  type StepResult,
  type TrainEvent,
  type WorkerPool,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import type { Env } from '../env/env.js';
import { envFor } from '../env/env-registry.js';
import { evaluatePolicy } from '../eval/evaluate.js';
import { GRU_SEQUENCE } from '../ops/gru-sequence-kernel.js';
import { PpoGradientRunner } from '../parallel/ppo-gradient-runner.js';
import { rlWorkerPool } from '../parallel/rl-worker-pool.js';
import { advantageTargets } from './advantage-targets.js';
import type { GruPolicy } from './gru-policy.js';
import { type PolicyUpdate, policyUpdateFor } from './policy-update.js';
import type { PpoGradients, PpoHeads } from './ppo-gradients.js';
import { Rl2Agent } from './rl2-agent.js';
import {
  RL2_OBJECTIVE,
  type Rl2Config,
  type Rl2ConfigInput,
  rl2AgentOptions,
  rl2Checkpoints,
  rl2ConfigSchema,
  rl2EvaluationSeed,
  rl2InputExtras,
} from './rl2-config.js';
import { checkRl2Config, checkRl2ConfigOnEnv, unusedRl2Settings } from './rl2-config-checks.js';
import { rl2Networks } from './rl2-networks.js';
import { entropyCoefficientAt, gaeLambdaAt, learningRateAt } from './rl2-schedules.js';
import { collectTrials, type Rollout } from './rollout.js';
import { ValueNormalizer, valueNormalizerStateSchema } from './value-normalizer.js';

/** The loss terms of one PPO gradient. */
type PpoTerms = Omit<PpoGradients, 'grads'>;

/** The trainer's own plain-JSON part of a checkpoint; its tensors are `weights`, `critic` and `adam`. */
const checkpointStateSchema = z.object({
  adamStep: z.number().int().nonnegative(),
  valueNormalizer: valueNormalizerStateSchema,
});

/** (trial, step) rows whose action probabilities each evaluation records for its histogram. */
const RECORDED_PROBABILITY_ROWS = 4096;

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
 * Trains an RL² agent (Duan et al. 2016): each iteration samples a batch of tasks, runs whole
 * trials with the recurrent policy (memory kept across episodes), computes trial-level GAE, and
 * moves the policy by its {@link PolicyUpdate} (PPO or TRPO), with backpropagation through whole
 * trials, Adam and global-norm clipping (per network, with a separate value network) through
 * @metagrad/core's `clipAndApply`.
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
export class Rl2Trainer extends LoopedProgram {
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
  private readonly update: PolicyUpdate;
  private readonly root: Rng;
  private readonly valueNormalizer = new ValueNormalizer();

  constructor(options: Rl2TrainerOptions) {
    super();
    this.config = parseConfig(rl2ConfigSchema, options.config, 'rl2');
    this.env = options.env ?? envFor(this.config);
    checkRl2Config(this.config);
    checkRl2ConfigOnEnv(this.config, this.env);
    this.root = new Rng(this.config.seed);
    this.total = this.config.iterations;
    ({ policy: this.policy, critic: this.critic } = rl2Networks(this.config, this.env, this.root));
    // Fail now, not at the first step, when fused kernels are asked for on a backend without them.
    resolveKernels(this.config.kernels, tf.getBackend(), GRU_SEQUENCE);
    this.pool = rlWorkerPool(this.config.workers);
    this.gradients = new PpoGradientRunner(this.pool);
    this.update = policyUpdateFor(this.config.algorithm, this.pool);
    this.adam = initAdam(this.trainedVariables());
    this.attachLoop({
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

  /** The trained agent as a {@link Policy} for evaluation. */
  agent(): Rl2Agent {
    return new Rl2Agent(this.policy, this.env, rl2AgentOptions(this.config));
  }

  /** One iteration: a batch of whole trials, then PPO epochs over it. */
  async step(iteration: number): Promise<StepResult> {
    const rng = this.root.child('iteration').child(iteration);
    const rollout = await collectTrials(this.policy, this.env, {
      batch: this.config.batch,
      episodes: this.config.episodes,
      taskRng: rng.child('tasks'),
      actionRng: rng.child('actions'),
      outcomeRng: rng.child('outcomes'),
      inputs: rl2InputExtras(this.config, 'policy'),
    });
    const { stats, skipped } = await this.learn(rollout, rng.child('minibatches'), iteration);
    return {
      metrics: {
        meanReturn: rollout.totals.reduce((a, b) => a + b, 0) / rollout.batch,
        ...stats,
        skippedMinibatches: skipped,
        learningRate: this.learningRateAt(iteration),
        ...(!unusedRl2Settings(this.config).includes('entropyCoefficient') && {
          entropyCoefficient: this.entropyCoefficientAt(iteration),
        }),
      },
      skipped: skipped > 0,
    };
  }

  /** Mean total reward on held-out trials (their own stream; they select the best weights). */
  async evaluate(): Promise<Evaluation> {
    const agent = new Rl2Agent(this.policy, this.env, {
      ...rl2AgentOptions(this.config),
      recordProbabilities: RECORDED_PROBABILITY_ROWS,
    });
    const result = await evaluatePolicy(agent, this.env, {
      episodes: this.config.episodes,
      trials: this.config.evalTrials,
      seed: rl2EvaluationSeed(this.config.seed),
    });
    const histograms = { actionProbability: histogramOf(await agent.takeRecordedProbabilities()) };
    return { value: result.mean, stderr: result.stderr, histograms };
  }

  /** The agent's weights (the policy network). */
  weights(): Promise<NamedValues[]> {
    return this.policy.weightValues();
  }

  async checkpoint(): Promise<ProgramCheckpoint> {
    const state: z.infer<typeof checkpointStateSchema> = {
      adamStep: this.adam.step,
      valueNormalizer: this.valueNormalizer.state(),
    };
    return {
      state,
      tensors: {
        weights: await this.policy.weightValues(),
        ...(this.critic && { critic: await this.critic.weightValues() }),
        adam: await adamValues(this.adam, this.trainedVariableNames()),
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

  /** What Adam trains, by the policy update's choice; each network is clipped on its own. */
  private trainedNetworks(): { network: GruPolicy; heads: PpoHeads }[] {
    return this.update.adamTrained(this.policy, this.critic);
  }

  /** All trained variables, in the order the optimizer first sees them. */
  private trainedVariables(): tf.Variable[] {
    return this.trainedNetworks().flatMap(({ network }) => network.variables);
  }

  /**
   * The policy and value updates of one iteration: the policy update's own step (TRPO's), then the
   * Adam minibatch epochs over the networks it names. Returns the last minibatch's loss terms (and
   * the step's report), the first trained network's gradient norm, and how many minibatch updates
   * were skipped.
   */
  private async learn(rollout: Rollout, rng: Rng, iteration: number) {
    const cfg = this.config;
    const gaeLambda = this.gaeLambdaAt(iteration);
    const learningRate = this.learningRateAt(iteration);
    const settings = { ...cfg, entropyCoefficient: this.entropyCoefficientAt(iteration) };
    const { criticRollout, advantages, targets } = await advantageTargets({
      rollout,
      policy: this.policy,
      critic: this.critic,
      env: this.env,
      config: cfg,
      gaeLambda,
      normalizer: this.valueNormalizer,
    });
    const stats: Record<string, number> = { policyLoss: 0, valueLoss: 0, entropy: 0, gradientNorm: 0 };
    Object.assign(
      stats,
      await this.update.policyStep({ policy: this.policy, rollout, advantages, rng, config: cfg }),
    );
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
        // Losses come from the network that trains on them (a policy step reported its own policy terms).
        const policyPart = parts.find((p) => p.heads.policy);
        const valuePart = parts.find((p) => p.heads.value)!;
        const result = await clipAndApply(
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
    return learningRateAt(this.config, iteration);
  }

  /** Entropy bonus weight for `iteration` (0-based) under the configured schedule. */
  entropyCoefficientAt(iteration: number): number {
    return entropyCoefficientAt(this.config, iteration);
  }

  /** GAE λ for `iteration` (0-based) under the config's `gaeLambdaSchedule`. */
  gaeLambdaAt(iteration: number): number {
    return gaeLambdaAt(this.config, iteration);
  }

  dispose(): void {
    void this.pool.dispose();
    this.policy.dispose();
    this.critic?.dispose();
    disposeAdam(this.adam);
  }
}
