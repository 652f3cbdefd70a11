import { type KernelChoice, Rng, type WorkerPool } from '@metagrad/core';
import {
  BASELINES,
  DEFAULT_LSTM_CONFIG,
  disposeInnerRun,
  type InnerRun,
  LstmOptimizer,
  lstmOptimizerStep,
  type MetaGradientEstimator,
  MetaGradientRunner,
  MetaTrainer,
  metaWorkerPool,
  PersistentEs,
  QuadraticFamily,
  runOptimizer,
  startInnerRun,
  type Task,
  TruncatedEs,
  tuneLearningRate,
} from '@metagrad/optimizers';
import * as tf from '@tensorflow/tfjs';
import { STEADY_STATE_WARMUP, type Workload, withWorkers } from '../workload.js';

const INSTANCES = 128;
const DIMS = 10;
const UNROLL = 20;

interface MetaStepState {
  optimizer: LstmOptimizer;
  task: Task;
  run: InnerRun;
  runner: MetaGradientRunner;
}

const family = new QuadraticFamily({ dims: DIMS });
const taskRng = new Rng('bench-task');

/**
 * The paper's quadratic meta-step: 128 functions, n = 10, 2 × 20 LSTM, unroll 20, first order, with
 * the learned optimizer's step on `kernels` (the default name runs `auto`). `instances` below 128
 * (the `-half` variant) is one of two workers' shares, timed on this thread.
 */
function quadraticMetaStep(
  kernels: KernelChoice,
  suffix = '',
  workers = 1,
  instances = INSTANCES,
): Workload<MetaStepState> {
  return {
    name: `optimizers/quadratic-meta-step-128x10-unroll20${suffix}`,
    description: `one first-order meta-gradient (${kernels} kernels, ${workers} worker(s)) on ${instances} quadratics`,
    ...withWorkers(workers, kernels === 'auto' ? STEADY_STATE_WARMUP : undefined),
    setup: () => {
      const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('bench'));
      optimizer.kernels = kernels;
      const task = family.sample(taskRng, instances);
      return {
        optimizer,
        task,
        run: startInnerRun(task, optimizer),
        runner: new MetaGradientRunner(workers),
      };
    },
    run: async ({ optimizer, run, runner }) => {
      const result = await runner.metaGradient(
        optimizer,
        run,
        { unroll: UNROLL, noiseFor: (s) => new Rng('noise').child(s), metaStep: 0 },
        { family, taskSeed: taskRng.seed, noiseSeed: new Rng('noise').seed },
      );
      await result.metaLoss.data();
      tf.dispose([result.metaLoss, ...result.gradients]);
      disposeInnerRun(result.next);
    },
    teardown: ({ optimizer, task, run, runner }) => {
      disposeInnerRun(run);
      task.dispose();
      optimizer.dispose();
      void runner.dispose();
    },
    metrics: (medianMs) => ({
      msPerMetaStep: medianMs,
      coordinateStepsPerSecond: (instances * DIMS * UNROLL) / (medianMs / 1000),
    }),
  };
}

/**
 * One evolution-strategies meta-gradient on the same meta-step (forward unrolls only): ES with
 * `particles` antithetic pairs, or PES's truncation with `particles` pairs. Each run continues the
 * inner run from the last one, as training does, so PES times a truncation of particles it already
 * holds (its first truncation, which starts them, falls in the warm-up).
 */
function quadraticEsStep(
  kind: 'es' | 'pes',
  particles: number,
  workers = 1,
): Workload<Omit<MetaStepState, 'runner'> & { pool: WorkerPool; estimator: MetaGradientEstimator }> {
  return {
    name: `optimizers/quadratic-meta-step-128x10-unroll20-${kind}${particles}${workers > 1 ? `-${workers}workers` : ''}`,
    description: `one ${kind === 'es' ? 'antithetic ES' : 'PES'} meta-gradient with ${particles} particle pairs (fused kernels, ${workers} worker(s)) on 128 quadratics`,
    ...withWorkers(workers),
    setup: () => {
      const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('bench'));
      const task = family.sample(taskRng, INSTANCES);
      // Threads started once: a run times the estimate, not the workers' start.
      const pool = metaWorkerPool(workers);
      const estimator =
        kind === 'es'
          ? new TruncatedEs({ particles, sigma: 0.01, antithetic: true }, new Rng('bench-es'), pool)
          : new PersistentEs({ particles, sigma: 0.01 }, new Rng('bench-pes'), pool);
      return { optimizer, task, run: startInnerRun(task, optimizer), pool, estimator };
    },
    run: async (state) => {
      const { optimizer, run, estimator } = state;
      const result = await estimator.estimate({
        optimizer,
        run,
        unroll: UNROLL,
        metaStep: run.step / UNROLL,
        objective: 'loss',
        noise: new Rng('noise'),
        family,
        taskSeed: taskRng.seed,
      });
      await result.metaLoss.data();
      tf.dispose([result.metaLoss, ...result.gradients]);
      disposeInnerRun(run);
      state.run = result.next;
    },
    teardown: ({ optimizer, task, run, pool, estimator }) => {
      disposeInnerRun(run);
      task.dispose();
      optimizer.dispose();
      void estimator.dispose().then(() => pool.dispose());
    },
    metrics: (medianMs) => ({ msPerMetaStep: medianMs, forwardUnrolls: 2 * particles + 1 }),
  };
}

/**
 * On demand (`pnpm bench -- --filter time-to-beat`): wall time of default meta-training on
 * quadratics until the held-out log10 final loss falls below that of Adam tuned on the same tasks.
 */
export const timeToBeatAdam: Workload<{ seconds: number; epochs: number; adam: number; learned: number }> = {
  name: 'optimizers/time-to-beat-tuned-adam',
  description: 'meta-training wall time until the LSTM beats tuned Adam on held-out quadratics',
  onDemand: true,
  runs: 1,
  setup: () => ({ seconds: Number.NaN, epochs: 0, adam: Number.NaN, learned: Number.NaN }),
  run: async (state) => {
    const family = new QuadraticFamily();
    const root = new Rng(0);
    // Held-out tasks as the trainer's evaluation draws them (seed 0, 128 instances).
    const sweep = await tuneLearningRate(BASELINES.adam, family, { rng: root.child('eval'), instances: 128 });
    const evalTask = family.sample(root.child('eval'), 128);
    state.adam = (
      await runOptimizer(BASELINES.adam(sweep.bestLearningRate), evalTask, {
        steps: 100,
      })
    ).log10FinalLoss;
    evalTask.dispose();
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, root.child('optimizer'));
    const started = performance.now();
    const trainer: MetaTrainer = new MetaTrainer({
      config: { epochs: 1000, evalEvery: 5, seed: 0 },
      family,
      optimizer,
      events: {
        emit: (e) => {
          if (e.type === 'evaluation' && e.value < state.adam) {
            state.seconds = (performance.now() - started) / 1000;
            state.epochs = e.step / trainer.metaStepsPerEpoch;
            state.learned = e.value;
            trainer.stop();
          }
        },
      },
    });
    await trainer.train();
    trainer.dispose();
    optimizer.dispose();
  },
  teardown: () => {},
  metrics: (_, state) => ({
    secondsToBeatTunedAdam: state.seconds,
    epochs: state.epochs,
    tunedAdamLog10: state.adam,
    learnedLog10: state.learned,
  }),
};

interface StepState {
  inputs: tf.Tensor2D[];
}

/**
 * The coordinatewise LSTM optimizer's step (2 × 20, K = 1) on 1280 coordinates, forward and every
 * gradient, on `kernels` (the default name runs `auto`).
 */
const lstmStep = (kernels: KernelChoice, suffix = ''): Workload<StepState> => ({
  name: `optimizers/lstm-step-fwd-bwd-1280${suffix}`,
  description: `lstmOptimizerStep (2 × 20 LSTM) forward + backward on 1280 coordinates, ${kernels} kernels`,
  setup: () => {
    const r = new Rng('lstm-step');
    const n = INSTANCES * DIMS;
    const normal = (shape: [number, number], std: number) => r.normalTensor(shape, 0, std) as tf.Tensor2D;
    return {
      inputs: [
        normal([1, n], 1),
        normal([20, n], 0.5),
        normal([20, n], 0.5),
        normal([20, n], 1),
        normal([20, n], 1),
        normal([80, 23], 0.3),
        normal([80, 41], 0.3),
        normal([1, 20], 0.3),
        normal([1, 1], 0.3),
      ],
    };
  },
  run: async ({ inputs }) => {
    const grads = tf.grads((...xs: tf.Tensor[]) => {
      const [g, h0, h1, c0, c1, k0, k1, headW, headB] = xs as tf.Tensor2D[];
      const out = lstmOptimizerStep(
        g!,
        { h: [h0!, h1!], c: [c0!, c1!] },
        { kernels: [k0!, k1!], headW: headW!, headB: headB! },
        10,
        kernels,
      );
      return tf.addN([tf.sum(out.output), tf.sum(out.state.h[1]!), tf.sum(out.state.c[1]!)]) as tf.Scalar;
    })(inputs);
    await Promise.all(grads.map((g) => g.data()));
    tf.dispose(grads);
  },
  teardown: ({ inputs }) => tf.dispose(inputs),
});

export const optimizerWorkloads: Workload[] = [
  lstmStep('auto') as Workload,
  lstmStep('composite', '-composite') as Workload,
  quadraticMetaStep('auto') as Workload,
  quadraticMetaStep('composite', '-composite') as Workload,
  quadraticMetaStep('auto', '-2workers', 2) as Workload,
  quadraticMetaStep('auto', '-half', 1, INSTANCES / 2) as Workload,
  quadraticEsStep('es', 8) as Workload,
  quadraticEsStep('es', 8, 2) as Workload,
  quadraticEsStep('es', 32) as Workload,
  quadraticEsStep('es', 32, 2) as Workload,
  quadraticEsStep('pes', 8) as Workload,
  quadraticEsStep('pes', 8, 2) as Workload,
  quadraticEsStep('pes', 32) as Workload,
  quadraticEsStep('pes', 32, 2) as Workload,
  timeToBeatAdam as Workload,
];
