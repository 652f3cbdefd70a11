/**
 * @metagrad/rl: RL² (Duan et al. 2016) — fast reinforcement learning learned by slow
 * reinforcement learning — with batched bandit and tabular-MDP environments, a recurrent policy
 * kept across episodes, PPO with trial-level GAE, and the classic hand-designed baselines.
 *
 * @packageDocumentation
 * @module @metagrad/rl
 */

export { type ConjugateGradientResult, conjugateGradient } from './agent/conjugate-gradient.js';
export { type DefaultRecipe, defaultRecipe } from './agent/default-recipes.js';
export { trialGae } from './agent/gae.js';
export {
  GRU_CELLS,
  type GruCell,
  type GruInit,
  GruPolicy,
  type GruPolicyShape,
  type PolicyFeatures,
  type PolicyStep,
} from './agent/gru-policy.js';
export { HostPolicyStep, type HostStepOutput } from './agent/host-policy-step.js';
export { type PolicyUpdate, type PolicyUpdateBatch, policyUpdateFor } from './agent/policy-update.js';
export { preserveValueOutputs } from './agent/popart.js';
export {
  minibatchTensors,
  type PpoLosses,
  type PpoLossGradients,
  type PpoMinibatch,
  type PpoMinibatchData,
  type PpoSettings,
  ppoLosses,
  ppoLossGradients,
  ppoTrialLosses,
  selectTrialData,
  selectTrials,
  unrollPolicy,
} from './agent/ppo.js';
export { type PpoGradients, ppoGradients } from './agent/ppo-gradients.js';
export { PpoUpdate } from './agent/ppo-update.js';
export { Rl2Agent, type Rl2AgentOptions } from './agent/rl2-agent.js';
export {
  RL2_CHECKPOINT_KIND,
  RL2_OBJECTIVE,
  type Rl2Config,
  type Rl2ConfigInput,
  rl2AgentOptions,
  rl2Checkpoints,
  rl2ConfigSchema,
  rl2EvaluationSeed,
  rl2InputExtras,
} from './agent/rl2-config.js';
export {
  checkIterationSize,
  checkRl2Config,
  checkRl2ConfigOnEnv,
  MAX_ITERATION_STEPS,
  unusedRl2Settings,
} from './agent/rl2-config-checks.js';
export {
  appendTimeInputs,
  type Rl2History,
  type Rl2InputExtras,
  Rl2InputStream,
  rl2Input,
  rl2InputSize,
  rl2ObservationColumns,
  TIME_INPUTS,
  type TrialClock,
  timeInputs,
} from './agent/rl2-input.js';
export { rl2NetworkShape, rl2Networks } from './agent/rl2-networks.js';
export { Rl2Trainer, type Rl2TrainerOptions } from './agent/rl2-trainer.js';
export { type Rl2TrainConfig, rl2Training, rl2TrainSchema } from './agent/rl2-training.js';
export { collectTrials, type Rollout } from './agent/rollout.js';
export { loadRl2Agent, saveRl2Agent } from './agent/saved-agent.js';
export {
  type ObservationColumns,
  type SlotMemoryReads,
  type SlotMemoryShape,
  slotMemoryReadoutSize,
  slotMemorySequence,
  slotMemoryStateSize,
  slotMemoryStep,
} from './agent/slot-memory.js';
export {
  FlatWeights,
  lineSearch,
  policyVariables,
  type TrpoBatch,
  type TrpoObjective,
  TrpoProblem,
  type TrpoSettings,
  type TrpoStepReport,
  trialLogits,
  trpoStep,
} from './agent/trpo.js';
export { TrpoUpdate } from './agent/trpo-update.js';
export { ValueNormalizer, type ValueNormalizerState } from './agent/value-normalizer.js';
export {
  BayesOptimalBandit,
  EpsilonGreedyBandit,
  FiniteHorizonGittinsBandit,
  GittinsBandit,
  GreedyBandit,
  PosteriorUcb,
  RandomBandit,
  ThompsonSampling,
  Ucb1,
} from './classic-policies/bandit-policies.js';
export {
  BayesOptimalPlanner,
  bayesOptimalValue,
  MAX_BAYES_OPTIMAL_PULLS,
} from './classic-policies/bayes-optimal.js';
export {
  FiniteHorizonGittinsTable,
  finiteHorizonGittinsIndex,
  MAX_FINITE_HORIZON_GITTINS_PULLS,
} from './classic-policies/finite-horizon-gittins.js';
export { GittinsTable, gittinsIndex } from './classic-policies/gittins.js';
export { type ArmIndex, indexPolicyValue } from './classic-policies/index-policy-value.js';
export { MyopicMdpPolicy, StateBlindMdpPolicy } from './classic-policies/mdp-diagnostic-policies.js';
export { type MdpModel, planEpisode } from './classic-policies/mdp-planning.js';
export {
  Beb,
  EpsilonGreedyMdpPolicy,
  GreedyMdpPolicy,
  Opsrl,
  Psrl,
  QLearning,
  RandomMdpPolicy,
  Ucrl2,
} from './classic-policies/mdp-policies.js';
export { PAPER_BANDIT_RESULTS, PAPER_MDP_RESULTS, paperResult } from './classic-policies/paper-results.js';
export { oneHotState, PosteriorMeanRewards } from './classic-policies/posterior-mean-rewards.js';
export {
  BANDIT_BASELINES,
  BANDIT_REFERENCES,
  type BaselineName,
  baselineCandidates,
  MDP_BASELINES,
  MDP_REFERENCES,
  type TuneBaselineOptions,
  tuneBaseline,
} from './classic-policies/registry.js';
export {
  type StateUseCounts,
  StateUseDiagnostic,
  type StateUseReport,
} from './diagnostics/state-use.js';
export { BanditTasks, BernoulliBandit } from './env/bandit.js';
export type { Env, StepResult, TaskBatch } from './env/env.js';
export { type EnvFactory, type EnvSettings, envFor, envNames, registerEnv } from './env/env-registry.js';
export { MdpTasks, TabularMdp, type TabularMdpOptions } from './env/tabular-mdp.js';
export { type EvaluateOptions, type EvaluationResult, evaluatePolicy } from './eval/evaluate.js';
export { pairedDifference } from './eval/paired-difference.js';
export type { Policy, PolicyRun } from './eval/policy.js';
export {
  type GruWeights,
  gruSequence,
  LAYER_NORM_GAINS,
  type LayerNormGains,
} from './ops/gru-sequence.js';
export { GRU_SEQUENCE } from './ops/gru-sequence-kernel.js';
export {
  fusedPpoHeadLoss,
  type HeadWeights,
  type PpoRowLoss,
  type PpoTargets,
  ppoHeadLoss,
  ppoLossOfHeadOutputs,
} from './ops/ppo-head-loss.js';
export { PPO_HEAD_LOSS, type PpoHeadLossAttrs } from './ops/ppo-head-loss-kernel.js';
export { PpoGradientRunner, type PpoMinibatchSource } from './parallel/ppo-gradient-runner.js';
export { RL_SHARD_HANDLERS, rlWorkerPool } from './parallel/rl-worker-pool.js';
export { TrpoRunner, type TrpoSource } from './parallel/trpo-runner.js';
