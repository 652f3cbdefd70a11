import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemorySink, Rng, type TrainEvent, type TrainProgressEvent } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runOptimizer } from '../eval/run-optimizer.js';
import { Sgd } from '../hand-designed/sgd.js';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { QuadraticFamily } from '../tasks/quadratic.js';
import { type MetaTrainConfigInput, metaTrainCheckpoints } from './meta-train-config.js';
import { MetaTrainer } from './meta-trainer.js';

const SMALL: MetaTrainConfigInput = {
  epochs: 40,
  steps: 40,
  unroll: 10,
  instances: 32,
  evalInstances: 64,
  evalEvery: 40,
  checkpointEvery: 10,
  metaLearningRate: 3e-3,
  seed: 7,
};

function metaSteps(events: TrainEvent[]): TrainProgressEvent[] {
  return events.filter((e): e is TrainProgressEvent => e.type === 'progress');
}

describe('MetaTrainer', () => {
  it('a short meta-training lowers the meta-loss and ends better than SGD at a fixed rate', async () => {
    const family = new QuadraticFamily();
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('train'));
    const sink = new MemorySink<TrainEvent>();
    const summary = await new MetaTrainer({ config: SMALL, family, optimizer, events: sink }).train();
    const epochs = metaSteps(sink.events).flatMap((e) => e.metrics.epochMetaLoss ?? []);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const first = mean(epochs.slice(0, 5));
    const last = mean(epochs.slice(-5));
    expect(last).toBeLessThan(0.5 * first);
    expect(summary.skippedTotal).toBe(0);
    // Held-out tasks: the learned optimizer beats plain SGD at a fixed rate of 0.01.
    const heldOut = family.sample(new Rng('held-out'), 64);
    const learned = await runOptimizer(optimizer, heldOut, { steps: 40 });
    const sgd = await runOptimizer(new Sgd({ learningRate: 0.01 }), heldOut, { steps: 40 });
    expect(learned.log10FinalLoss).toBeLessThan(sgd.log10FinalLoss - 0.3);
    optimizer.dispose();
  });

  it('resuming from a mid-epoch checkpoint reproduces the uninterrupted run exactly', async () => {
    const config = { ...SMALL, epochs: 4, evalEvery: 2, checkpointEvery: 1 };
    const family = new QuadraticFamily();
    const full = new MemorySink<TrainEvent>();
    const a = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('resume'));
    await new MetaTrainer({ config, family, optimizer: a, events: full }).train();

    const dir = mkdtempSync(join(tmpdir(), 'resume-'));
    const b = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('resume'));
    let calls = 0;
    const first = new MetaTrainer({
      config,
      family,
      optimizer: b,
      checkpointDir: dir,
      beforeMetaStep: async () => {
        // Stop in the middle of the third epoch (after 10 of 16 meta-steps).
        if (++calls === 11) first.stop();
      },
    });
    const stopped = await first.train();
    expect(stopped.reason).toBe('stopped');
    const { data: checkpoint } = metaTrainCheckpoints(dir).latest()!;
    expect((checkpoint.state.program as { innerStep: number }).innerStep).toBeGreaterThan(0);
    expect(checkpoint.tensors.inner).toBeDefined();
    expect(checkpoint.step).toBe(10);

    const c = new LstmOptimizer(
      DEFAULT_LSTM_CONFIG,
      new Rng('a different init, overwritten by the checkpoint'),
    );
    const resumed = new MemorySink<TrainEvent>();
    await new MetaTrainer({ config, family, optimizer: c, events: resumed, resumeFrom: checkpoint }).train();
    const expected = metaSteps(full.events).slice(10);
    const actual = metaSteps(resumed.events);
    expect(actual.map((e) => [e.step, e.metrics])).toEqual(expected.map((e) => [e.step, e.metrics]));
    const evalOf = (events: TrainEvent[]) =>
      events.filter((e) => e.type === 'evaluation').map((e) => e.type === 'evaluation' && e.value);
    expect(evalOf(resumed.events)).toEqual(evalOf(full.events).slice(-1));
    [a, b, c].forEach((o) => {
      o.dispose();
    });
  });

  it.each([
    ['es', 1],
    ['pes', 1],
    // On worker threads PES's particles' runs stay on the workers: a checkpoint reads them from there.
    ['pes', 2],
  ] as const)(
    '%s with %i worker(s): meta-training resumes bit-exactly (perturbations from the seed, particles from the checkpoint)',
    async (estimator, workers) => {
      const config = {
        ...SMALL,
        epochs: 2,
        steps: 30,
        unroll: 10,
        instances: 8,
        evalEvery: 1,
        checkpointEvery: 1,
        workers,
      };
      const es = { ...config, estimator, particles: 3, sigma: 0.05 };
      const family = new QuadraticFamily();
      const full = new MemorySink<TrainEvent>();
      const a = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('es-resume'));
      await new MetaTrainer({ config: es, family, optimizer: a, events: full }).train();
      const dir = mkdtempSync(join(tmpdir(), 'es-resume-'));
      const b = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('es-resume'));
      let calls = 0;
      const first: MetaTrainer = new MetaTrainer({
        config: es,
        family,
        optimizer: b,
        checkpointDir: dir,
        beforeMetaStep: async () => {
          if (++calls === 3) first.stop(); // mid-epoch, after two truncations
        },
      });
      await first.train();
      const c = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('another init'));
      const resumed = new MemorySink<TrainEvent>();
      const resumeFrom = metaTrainCheckpoints(dir).latest()!.data;
      await new MetaTrainer({ config: es, family, optimizer: c, events: resumed, resumeFrom }).train();
      expect(metaSteps(resumed.events).map((e) => e.metrics)).toEqual(
        metaSteps(full.events)
          .slice(2)
          .map((e) => e.metrics),
      );
      expect(
        metaSteps(full.events).every(
          (e) => Number.isFinite(e.metrics.gradientNorm!) && e.metrics.gradientNorm! > 0,
        ),
      ).toBe(true);
      [a, b, c].forEach((o) => {
        o.dispose();
      });
    },
  );

  it('skips and counts non-finite meta-gradients, and never checkpoints poisoned weights', async () => {
    // Entries of 1e30 overflow float32 in ‖Wθ − y‖²: every meta-loss is Inf or NaN.
    const family = new QuadraticFamily({ stddev: 1e30 });
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('nan'));
    const before = await optimizer.weightValues();
    const dir = mkdtempSync(join(tmpdir(), 'nan-'));
    const summary = await new MetaTrainer({
      config: { ...SMALL, epochs: 2, checkpointEvery: 1, evalEvery: 100 },
      family,
      optimizer,
      checkpointDir: dir,
    }).train();
    expect(summary.skippedTotal).toBe(8);
    (await optimizer.weightValues()).forEach((w, i) => {
      expect(Array.from(w.values)).toEqual(Array.from(before[i]!.values));
    });
    for (const path of metaTrainCheckpoints(dir).list()) {
      expect(readFileSync(path, 'utf8')).not.toMatch(/NaN|Infinity/);
    }
    optimizer.dispose();
  });

  it('leaves no tensors behind: the count is flat across epochs and back to the start after dispose', async () => {
    const before = tf.memory().numTensors;
    const family = new QuadraticFamily();
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('leak'));
    const sink = new MemorySink<TrainEvent>();
    const trainer = new MetaTrainer({
      config: { ...SMALL, epochs: 4, evalEvery: 2 },
      family,
      optimizer,
      events: sink,
    });
    await trainer.train();
    // At epoch ends (after the epoch's tasks are freed).
    const counts = metaSteps(sink.events).flatMap((e) =>
      e.metrics.epochMetaLoss !== undefined ? [e.tensors] : [],
    );
    expect(new Set(counts).size).toBe(1);
    trainer.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a cosine meta-learning-rate schedule is the step size Adam uses, falling to 0 at the end', async () => {
    const family = new QuadraticFamily();
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('schedule'));
    const sink = new MemorySink<TrainEvent>();
    const config = {
      ...SMALL,
      epochs: 2,
      steps: 20,
      metaLearningRateSchedule: 'cosine' as const,
      evalEvery: 100,
    };
    const trainer = new MetaTrainer({ config, family, optimizer, events: sink });
    await trainer.train();
    // 2 epochs × 2 truncations: steps 0…3 of 4.
    const used = metaSteps(sink.events).map((e) => e.metrics.metaLearningRate);
    expect(used).toEqual(
      [0, 1, 2, 3].map((i) => expect.closeTo(3e-3 * 0.5 * (1 + Math.cos((Math.PI * i) / 4)), 12)),
    );
    trainer.dispose();
    optimizer.dispose();
  });

  it('rejects bad settings with an error naming the field', () => {
    const family = new QuadraticFamily();
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng(0));
    expect(() => new MetaTrainer({ config: { unroll: 0 }, family, optimizer })).toThrow(
      /invalid train\.unroll: 0/,
    );
    expect(() => new MetaTrainer({ config: { steps: 100, unroll: 30 }, family, optimizer })).toThrow(
      /multiple/,
    );
    optimizer.dispose();
  });
});
