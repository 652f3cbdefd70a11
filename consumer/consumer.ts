// A TypeScript consumer of the published packages, compiled by the consumer test under the strictest
// settings a user may have (see tsconfig.json here), with skipLibCheck off so metagrad's .d.ts are
// checked too. It implements each extension interface and touches every package's public barrel.

import { svgLineChart } from '@metagrad/cli';
import { ExponentialDecaySchedule, gumbelSoftmax, Rng, type TrainEvent, useBackend } from '@metagrad/core';
import {
  DEFAULT_LSTM_CONFIG,
  LearnedTfOptimizer,
  LstmOptimizer,
  MetaTrainer,
  type Task,
  type TaskFamily,
} from '@metagrad/optimizers';
import { type Env, evaluatePolicy, Rl2Trainer, type StepResult, type TaskBatch } from '@metagrad/rl';
import * as tf from '@tensorflow/tfjs';

class SphereTask implements Task {
  readonly name = 'sphere';
  readonly numParams = 4;
  constructor(
    readonly numInstances: number,
    private readonly start: number[],
  ) {}
  initialParams(): tf.Tensor2D {
    return tf.tensor2d(this.start, [this.numInstances, this.numParams]);
  }
  loss(params: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.sum(tf.square(params), 1));
  }
  dispose(): void {}
}

class SphereFamily implements TaskFamily {
  readonly name = 'sphere';
  sample(rng: Rng, numInstances: number): Task {
    return new SphereTask(
      numInstances,
      Array.from({ length: numInstances * 4 }, () => rng.next() - 0.5),
    );
  }
  describe(): Record<string, unknown> {
    return { family: 'sphere' };
  }
  dispose(): void {}
}

class CoinTasks implements TaskBatch {
  constructor(readonly batch: number) {}
  reset(): Float32Array {
    return new Float32Array(0);
  }
  step(actions: Int32Array, rng: Rng): StepResult {
    const rewards = Float32Array.from(actions, (a) => (a === 1 && rng.next() < 0.7 ? 1 : 0));
    return { observations: new Float32Array(0), rewards, episodeDone: true };
  }
}

const coinEnv: Env = {
  name: 'coin',
  numActions: 2,
  observationSize: 0,
  episodeLength: 1,
  sampleTasks: (_rng, batch) => new CoinTasks(batch),
  describe: () => ({ env: 'coin' }),
};

export async function main(): Promise<void> {
  await useBackend('wasm');
  const rng = new Rng(0);
  const tau = new ExponentialDecaySchedule({ initial: 1, min: 0.5, rate: 1e-3 }).value(10);
  const sample = gumbelSoftmax(tf.zeros([2, 3]), { temperature: tau, hard: true, seed: rng });
  sample.dispose();

  const events: TrainEvent[] = [];
  const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, rng.child('lstm'));
  const trainer = new MetaTrainer({
    config: { epochs: 2, steps: 10, unroll: 5, instances: 4, workers: 1 },
    family: new SphereFamily(),
    optimizer,
    events: { emit: (event: TrainEvent) => void events.push(event) },
  });
  const summary = await trainer.train();
  const dropIn: tf.Optimizer = new LearnedTfOptimizer(optimizer);
  dropIn.dispose();

  const rl2 = new Rl2Trainer({ config: { iterations: 1, batch: 8, episodes: 2, workers: 1 }, env: coinEnv });
  const result = await evaluatePolicy(rl2.agent(), coinEnv, { episodes: 2, trials: 8 });
  rl2.dispose();

  const svg = svgLineChart([{ name: 'loss', points: [{ x: 0, y: summary.steps }] }], {
    title: 'consumer',
    xLabel: 'step',
    yLabel: 'loss',
  });
  console.log(summary.reason, events.length, result.mean.toFixed(2), svg.length > 0);
}
