/**
 * @metagrad/core: differentiable building blocks for meta-learning on TensorFlow.js.
 *
 * Backends, seeded randomness, Gumbel-softmax / Concrete, straight-through and
 * score-function estimators, temperature schedules, and run logging.
 *
 * @packageDocumentation
 * @module @metagrad/core
 */

export { platform } from '#platform';
export {
  type AdapterRecord,
  assertBackendName,
  BACKEND_NAMES,
  type BackendName,
  type BackendResolution,
  type BackendStatus,
  BackendUnavailableError,
  backendSchema,
  type ConcreteBackendName,
  listBackends,
  useBackend,
} from './backend/backend.js';
export { checkDevice, DeviceFailureError } from './backend/device-failure.js';
export { offTape } from './backend/off-tape.js';
export { readScalars, readTensors } from './backend/read-tensors.js';
export { resultsOnBackends } from './backend/results-on-backends.js';
export {
  findWebGpuAdapter,
  WEBGPU_SYSTEM_PACKAGES,
  type WebGpuAdapterChoice,
} from './backend/webgpu-adapter.js';
export { WEBGPU_SYNC_READS } from './backend/webgpu-sync-reads.js';
export type { ChoiceObjective, Estimator } from './discrete-gradients/estimator.js';
export { GumbelSoftmaxEstimator, type GumbelSoftmaxEstimatorOptions } from './discrete-gradients/relaxed.js';
export { ScoreFunctionEstimator, type ScoreFunctionOptions } from './discrete-gradients/score-function.js';
export {
  bernoulliStraightThrough,
  roundStraightThrough,
  type SlopeAnnealedOptions,
  signStraightThrough,
  slopeAnnealedStraightThrough,
  stopGradient,
  straightThrough,
  thresholdStraightThrough,
} from './discrete-gradients/straight-through.js';
export { Bernoulli } from './distributions/bernoulli.js';
export { Categorical } from './distributions/categorical.js';
export {
  argMaxRows,
  categoricalLogProbRows,
  gumbelMaxRows,
  softmaxRows,
} from './distributions/categorical-rows.js';
export type { Distribution, DistributionWithEntropy } from './distributions/distribution.js';
export { RelaxedBernoulli, StraightThroughRelaxedBernoulli } from './distributions/relaxed-bernoulli.js';
export {
  ExpRelaxedOneHotCategorical,
  RelaxedOneHotCategorical,
  StraightThroughRelaxedOneHotCategorical,
} from './distributions/relaxed-one-hot-categorical.js';
export type { Temperature } from './distributions/temperature.js';
export { gumbelMax, gumbelTopK, perturbLogits, sampleGumbel } from './gumbel/gumbel.js';
export { type GumbelSoftmaxOptions, gumbelSoftmax } from './gumbel/gumbel-softmax.js';
export { GUMBEL_SOFTMAX, GUMBEL_SOFTMAX_GRAD } from './gumbel/gumbel-softmax-kernel.js';
export { DirectoryLock, DirectoryLockedError, lockHolder } from './io/directory-lock.js';
export {
  asDiskWriteError,
  DiskWriteError,
  removeLeftoverTempFiles,
  syncDirectory,
  writeDirectoryAtomic,
  writeFileAtomic,
  writeFully,
} from './io/durable-write.js';
export {
  FaultyFileSystem,
  type FileStat,
  type FileSystem,
  fileSystem,
  readTextFile,
  useFileSystem,
  type WriteFault,
} from './io/file-system.js';
export { loadWeightsDirectory, SavedModelError, saveWeightsDirectory } from './io/weights-directory.js';
export { zipDirectory } from './io/zip-directory.js';
export { ActivationStore, activationStore } from './kernels/activation-store.js';
export { fusedAgainstComposite, maxScaledError } from './kernels/kernel-agreement.js';
export {
  KERNEL_ARITHMETIC_VARIABLE,
  KERNEL_ARITHMETICS,
  type KernelArithmetic,
} from './kernels/kernel-arithmetic.js';
export {
  hasFusedKernels,
  KERNEL_CHOICES,
  type KernelChoice,
  kernelsSchema,
  resolveKernels,
} from './kernels/kernel-choice.js';
export {
  kernelArithmetic,
  type RecurrentKernelExports,
  RecurrentKernels,
  recurrentKernels,
} from './kernels/recurrent-kernels.js';
export { type FusedKernelFactory, registerFusedKernel } from './kernels/register-fused-kernel.js';
export { FUSED_KERNEL_BACKENDS, type TensorIO, tensorIO } from './kernels/tensor-io.js';
export {
  KEEP_UNIFORMS,
  registerWebGpuKernel,
  type WebGpuBackend,
  type WebGpuKernelArgs,
  type WebGpuProgram,
  webgpuKernel,
} from './kernels/webgpu-program.js';
export { decodeFloat32, encodeFloat32 } from './logging/float32-codec.js';
export {
  escapedExcerpt,
  type JsonlContents,
  JsonlWriter,
  type JsonlWriterOptions,
  readJsonl,
} from './logging/jsonl.js';
export { EventBus, type EventSink, MemorySink, type RunEvent } from './logging/run-event.js';
export { describeRun, METAGRAD_VERSION, type RunInfo } from './logging/run-info.js';
export { batchedProduct } from './ops/batched-product.js';
export { fastTanh } from './ops/fast-tanh.js';
export { matMulPlainGrad } from './ops/mat-mul-plain-grad.js';
export { type ShardPort, serveShards } from './parallel/serve-shards.js';
export {
  answer,
  ShardError,
  type ShardHandlers,
  type ShardReply,
  type ShardRequest,
  type ShardSessions,
  type ShardTransport,
  shardRanges,
  weightedSum,
} from './parallel/shard-protocol.js';
export {
  type RemoteShardTransports,
  remoteShardTransports,
  type ShardTransportFactory,
  shardTransport,
  useRemoteShardTransports,
} from './parallel/shard-transports.js';
export {
  RunnerPool,
  type ShardedResults,
  type ShardRange,
  shardedCall,
  weightedMean,
} from './parallel/sharded-call.js';
export { siblingModule } from './parallel/sibling-module.js';
export {
  serveShardsInWebWorker,
  useWebShardWorkers,
  type WebShardWorker,
  type WebShardWorkerFactory,
  WebWorkerTransport,
} from './parallel/web-shard-workers.js';
export { WorkerPool } from './parallel/worker-pool.js';
export { defaultWorkerCount, workersSchema } from './parallel/workers-setting.js';
export { MemoryFileSystem } from './platform/memory-file-system.js';
export type { MachineDescription, Platform, ProcessIdentity } from './platform/platform.js';
export { drawUniformKey, keyedUniforms, type UniformKey } from './random/keyed-uniforms.js';
export { type AleaState, globalRng, Rng, type RngState, setGlobalSeed, toRng } from './random/rng.js';
export { DECAY_SCHEDULES, type DecaySchedule, decayed } from './schedules/decay-schedule.js';
export {
  ConstantSchedule,
  type ExponentialDecayOptions,
  ExponentialDecaySchedule,
  LearnableTemperature,
  type TemperatureSchedule,
} from './schedules/temperature-schedule.js';
export { type ChiSquareResult, chiSquareSurvival, chiSquareTest } from './stats/chi-square.js';
export { type MeanAndStandardError, meanAndStandardError } from './stats/mean-and-standard-error.js';
export {
  type AdamHyperparameters,
  type AdamState,
  adamFromValues,
  adamStep,
  adamUpdate,
  adamValues,
  disposeAdam,
  initAdam,
} from './training/adam-state.js';
export {
  type CheckpointData,
  CheckpointError,
  CheckpointStore,
  checkpointState,
  checkpointTensors,
  type LoadedCheckpoint,
} from './training/checkpoint-store.js';
export { type ClipAndApplyResult, type ClipGroup, clipAndApply } from './training/clip-and-apply.js';
export { type Histogram, histogramOf } from './training/histogram.js';
export { LoopedProgram } from './training/looped-program.js';
export {
  allFinite,
  assignValues,
  decodeValues,
  type EncodedValues,
  encodedValuesSchema,
  encodeValues,
  type NamedValues,
  valuesOf,
} from './training/named-values.js';
export { initializers, ParameterStore } from './training/parameter-store.js';
export type {
  Objective,
  SettingsChangedEvent,
  TrainCheckpointEvent,
  TrainEndEvent,
  TrainEvaluationEvent,
  TrainEvent,
  TrainProgressEvent,
  TrainStartEvent,
} from './training/train-events.js';
export {
  type Evaluation,
  type ProgramCheckpoint,
  type StepResult,
  TrainLoop,
  type TrainLoopOptions,
  type TrainProgram,
  type TrainSummary,
} from './training/train-loop.js';
export type {
  ReferenceResults,
  TrainerContext,
  TrainerDescriptor,
  TrainerRun,
  TrainerSettings,
} from './training/trainer-descriptor.js';
export { ConfigError, formatValue, parseConfig } from './validation/config-error.js';
export { checkedFactory, type MemberKind, memberProblem } from './validation/object-members.js';
export { positiveNumber, seedSchema } from './validation/schemas.js';
