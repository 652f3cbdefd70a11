import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadDigits } from '../data/digits.js';
import { lossAndGradient } from './loss-and-gradient.js';
import { MlpFamily } from './mlp.js';
import { QuadraticFamily } from './quadratic.js';
import type { Task } from './task.js';

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

function autodiffGradient(task: Task, params: tf.Tensor2D, step: number): tf.Tensor {
  return tf.grad((p: tf.Tensor) => tf.sum(task.loss(p as tf.Tensor2D, step)))(params);
}

describe('quadratic family', () => {
  const task = new QuadraticFamily().sample(new Rng('q'), 8);

  it('computes ‖Wθ − y‖² per instance and is reproducible from the seed', () => {
    const again = new QuadraticFamily().sample(new Rng('q'), 8);
    const p = task.initialParams();
    expect(Array.from(again.loss(p, 0).dataSync())).toEqual(Array.from(task.loss(p, 0).dataSync()));
    expect(task.loss(tf.zeros([8, 10]), 0).shape).toEqual([8]);
  });

  it('has an analytic gradient equal to autodiff', () => {
    const p = task.initialParams();
    const { gradient } = lossAndGradient(task, p, 0);
    const reference = autodiffGradient(task, p, 0);
    expect(maxAbsDiff(gradient, reference)).toBeLessThan(1e-3 * tf.max(tf.abs(reference)).dataSync()[0]!);
  });
});

describe('MLP family on the UCI digits', () => {
  const digits = loadDigits();

  it('ships the 1,797 × 64 digits with 10 classes, pixels in [0, 1]', () => {
    expect([digits.numExamples, digits.numFeatures, digits.numClasses]).toEqual([1797, 64, 10]);
    expect(Math.max(...digits.features)).toBe(1);
    expect(new Set(digits.labels).size).toBe(10);
  });

  it('the paper network has 1,510 parameters and starts near chance-level loss', () => {
    const family = new MlpFamily(digits);
    expect(family.numParams).toBe(64 * 20 + 20 + 20 * 10 + 10);
    const task = family.sample(new Rng('mlp'), 4);
    const loss = task.loss(task.initialParams(), 0).dataSync();
    for (const l of loss) expect(Math.abs(l - Math.log(10))).toBeLessThan(0.5);
    family.dispose();
  });

  it.each(['sigmoid', 'relu', 'tanh'] as const)(
    '%s, 2 hidden layers: gradient matches a finite difference',
    (activation) => {
      const family = new MlpFamily(digits, { hidden: [16, 8], activation, batchSize: 64 });
      const task = family.sample(new Rng(activation), 2);
      const p = task.initialParams();
      // A unit-norm direction keeps the finite-difference step small enough not to cross ReLU kinks.
      const raw = tf.randomNormal(p.shape, 0, 1, 'float32', 7);
      const direction = tf.div(raw, tf.norm(raw));
      const { gradient } = lossAndGradient(task, p, 0);
      const analytic = tf.sum(tf.mul(gradient, direction)).dataSync()[0]!;
      const h = 1e-2;
      const at = (s: number) =>
        tf.sum(task.loss(tf.add(p, tf.mul(direction, s)) as tf.Tensor2D, 0)).dataSync()[0]!;
      const numeric = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(analytic - numeric)).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
      family.dispose();
    },
  );

  it('the paper network learns: 50 SGD steps lower the loss on a fixed minibatch', () => {
    const family = new MlpFamily(digits);
    const task = family.sample(new Rng('sgd'), 2);
    let p = task.initialParams();
    const first = tf.mean(task.loss(p, 0)).dataSync()[0]!;
    for (let step = 0; step < 50; step++) {
      const { loss, gradient } = lossAndGradient(task, p, step);
      const next = tf.sub(p, tf.mul(gradient, 1)) as tf.Tensor2D;
      tf.dispose([loss, gradient, p]);
      p = next;
    }
    expect(tf.mean(task.loss(p, 0)).dataSync()[0]!).toBeLessThan(first - 0.5);
    family.dispose();
  });

  it('gives each step its own reproducible minibatch', () => {
    const family = new MlpFamily(digits);
    const task = family.sample(new Rng('batches'), 2);
    expect(task.minibatchIndices(3)).toEqual(task.minibatchIndices(3));
    expect(task.minibatchIndices(3)).not.toEqual(task.minibatchIndices(4));
    family.dispose();
  });
});
