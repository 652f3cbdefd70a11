import { Rng } from '@metagrad/core';
import {
  BASELINES,
  DEFAULT_LSTM_CONFIG,
  disposeInnerRun,
  type InnerRun,
  LstmOptimizer,
  MetaTrainer,
  metaGradient,
  QuadraticFamily,
  runOptimizer,
  startInnerRun,
  type Task,
  tuneLearningRate,
} from '@metagrad/optimizers';
import * as tf from '@tensorflow/tfjs';
import type { Workload } from '../workload.js';

const INSTANCES = 128;
const DIMS = 10;
const UNROLL = 20;

interface MetaStepState {
  optimizer: LstmOptimizer;
  task: Task;
  run: InnerRun;
}

/** The paper's quadratic meta-step: 128 functions, n = 10, 2 × 20 LSTM, unroll 20, first order. */
export const quadraticMetaStep: Workload<MetaStepState> = {
  name: 'optimizers/quadratic-meta-step-128x10-unroll20',
  description: 'one first-order meta-gradient (phase-1 unroll + hand-written BPTT) on 128 quadratics',
  setup: () => {
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('bench'));
    const task = new QuadraticFamily({ dims: DIMS }).sample(new Rng('bench-task'), INSTANCES);
    return { optimizer, task, run: startInnerRun(task, optimizer) };
  },
  run: ({ optimizer, run }) => {
    const result = metaGradient(optimizer, run, {
      unroll: UNROLL,
      noiseFor: (s) => new Rng(s),
      metaStep: 0,
    });
    result.metaLoss.dataSync();
    tf.dispose([result.metaLoss, ...result.gradients]);
    disposeInnerRun(result.next);
  },
  teardown: ({ optimizer, task, run }) => {
    disposeInnerRun(run);
    task.dispose();
    optimizer.dispose();
  },
  metrics: (medianMs) => ({
    msPerMetaStep: medianMs,
    coordinateStepsPerSecond: (INSTANCES * DIMS * UNROLL) / (medianMs / 1000),
  }),
};

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
    const sweep = tuneLearningRate(BASELINES.adam, family, { rng: root.child('eval'), instances: 128 });
    const evalTask = family.sample(root.child('eval'), 128);
    state.adam = runOptimizer(BASELINES.adam(sweep.bestLearningRate), evalTask, {
      steps: 100,
    }).log10FinalLoss;
    evalTask.dispose();
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, root.child('optimizer'));
    const started = performance.now();
    const trainer: MetaTrainer = new MetaTrainer({
      config: { epochs: 1000, evalEvery: 5, seed: 0 },
      family,
      optimizer,
      events: {
        emit: (e) => {
          if (e.type === 'evaluation' && e.log10FinalLoss < state.adam) {
            state.seconds = (performance.now() - started) / 1000;
            state.epochs = e.epoch + 1;
            state.learned = e.log10FinalLoss;
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

export const optimizerWorkloads: Workload[] = [quadraticMetaStep as Workload, timeToBeatAdam as Workload];
