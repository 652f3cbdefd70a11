/**
 * @metagrad/optimizers: learned optimizers trained by gradient descent (Andrychowicz et al. 2016),
 * task families, tuned hand-designed baselines, meta-training, evaluation, and drop-in use as a
 * `tf.train.Optimizer`.
 *
 * @packageDocumentation
 * @module @metagrad/optimizers
 */

export type { Dataset, DatasetSource } from './data/dataset.js';
export { DIGITS_PATH, loadDigits } from './data/digits.js';
export { type IdxArray, IdxFormatError, loadIdxDataset, parseIdx } from './data/idx.js';
export {
  type ComparisonReport,
  type ComparisonRow,
  compareOptimizers,
  formatComparisonTable,
} from './eval/compare.js';
export {
  type GeneralisationStudyOptions,
  generalisationStudy,
  generalisationVariants,
  type StudyEntry,
  type StudyRow,
  type StudyVariant,
} from './eval/generalisation-study.js';
export {
  type LearningRateSweep,
  type LearningRateSweepOptions,
  type SweepPoint,
  tuneLearningRate,
} from './eval/learning-rate-sweep.js';
export {
  isLearnedOptimizer,
  type OptimizerRun,
  type RunOptimizerOptions,
  runOptimizer,
} from './eval/run-optimizer.js';
export { type TaskSplits, taskSplits } from './eval/task-splits.js';
export { Adam, type AdamOptions } from './hand-designed/adam.js';
export { Momentum, type MomentumOptions, Nesterov } from './hand-designed/momentum.js';
export {
  disposeState,
  type Optimizer,
  type OptimizerFactory,
  type OptimizerState,
  type TunableOptimizer,
} from './hand-designed/optimizer.js';
export { BASELINE_NAMES, BASELINES, type BaselineName } from './hand-designed/registry.js';
export { RmsProp, type RmsPropOptions } from './hand-designed/rmsprop.js';
export { Sgd } from './hand-designed/sgd.js';
export {
  CoordinatewiseLstm,
  type CoordinatewiseLstmShape,
  type LstmState,
  type NamedWeight,
} from './learned/coordinatewise-lstm.js';
export {
  disposeLearnedState,
  type LearnedOptimizer,
  type LearnedOptimizerConfig,
  type LearnedOptimizerState,
  type StepContext,
} from './learned/learned-optimizer.js';
export { learnedOptimizerConfigSchema } from './learned/learned-optimizer-config.js';
export { DEFAULT_DISCRETE_CONFIG, DEFAULT_LSTM_CONFIG, LstmOptimizer } from './learned/lstm-optimizer.js';
export { logAndSign } from './learned/preprocess.js';
export {
  loadLearnedOptimizer,
  SavedOptimizerError,
  saveLearnedOptimizer,
} from './learned/saved-optimizer.js';
export { LearnedTfOptimizer } from './learned/tf-optimizer.js';
export { type L2lTrainConfig, l2lTraining, l2lTrainSchema, learnedConfigFor } from './meta/l2l-training.js';
export {
  disposeInnerRun,
  type InnerRun,
  META_OBJECTIVES,
  type MetaGradientOptions,
  type MetaGradientResult,
  type MetaObjective,
  metaGradient,
  SecondOrderUnsupportedError,
  startInnerRun,
  unrollForward,
} from './meta/meta-gradient.js';
export type { MetaGradientEstimator, TruncationRequest } from './meta/meta-gradient-estimator.js';
export {
  checkMetaTrainConfig,
  META_TRAIN_CHECKPOINT_KIND,
  META_TRAIN_OBJECTIVE,
  type MetaTrainConfig,
  type MetaTrainConfigInput,
  metaTrainCheckpoints,
  metaTrainConfigSchema,
  resolveMetaTrainConfig,
} from './meta/meta-train-config.js';
export { MetaTrainer, type MetaTrainerOptions, type MetaTrainSummary } from './meta/meta-trainer.js';
export { PersistentEs, type PesSettings } from './meta/persistent-es.js';
export { TruncatedBackprop } from './meta/truncated-backprop.js';
export { type EsSettings, TruncatedEs } from './meta/truncated-es.js';
export {
  ConstantTruncation,
  GrowingTruncation,
  type TruncationSchedule,
} from './meta/truncation-schedule.js';
export {
  type LstmOptimizerStepOutput,
  type LstmOptimizerWeights,
  lstmOptimizerStep,
} from './ops/lstm-optimizer-step.js';
export { LSTM_OPTIMIZER_STEP } from './ops/lstm-optimizer-step-kernel.js';
export { EsParticleRunner, type EsParticles } from './parallel/es-particle-runner.js';
export { canShard, MetaGradientRunner, type MetaShardSource } from './parallel/meta-gradient-runner.js';
export { META_SHARD_HANDLERS, metaWorkerPool } from './parallel/meta-worker-pool.js';
export { type TaskFamilySpec, taskFamilyFromSpec } from './tasks/family-spec.js';
export { lossAndGradient } from './tasks/loss-and-gradient.js';
export { MLP_ACTIVATIONS, type MlpActivation, MlpFamily, type MlpOptions, MlpTask } from './tasks/mlp.js';
export { QuadraticFamily, type QuadraticOptions, QuadraticTask } from './tasks/quadratic.js';
export type { LossAndGradient, Task, TaskFamily } from './tasks/task.js';
export { componentsOf, TaskMixture } from './tasks/task-mixture.js';
export {
  checkTaskSize,
  MAX_TASK_BYTES,
  registerTaskFamily,
  type TaskFamilyFactory,
  type TaskSettings,
  taskFamilyFor,
  taskFamilyNames,
  taskSettingsSchema,
} from './tasks/task-registry.js';
