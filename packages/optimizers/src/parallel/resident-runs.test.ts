import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { type InnerRun, startInnerRun } from '../meta/meta-gradient.js';
import { QuadraticFamily } from '../tasks/quadratic.js';
import { dropRuns, keepRun, keptRun } from './resident-runs.js';

describe('particle runs kept on a worker', () => {
  const family = new QuadraticFamily();
  const task = family.sample(new Rng('kept-runs'), 3);
  const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('kept-runs'));
  const runAt = (step: number): InnerRun => ({ ...startInnerRun(task, optimizer), step });
  const tensorsOf = (run: InnerRun) => [run.params, run.loss, run.gradient, ...Object.values(run.state)];

  it('are found by key at their step, and a replaced one is freed', () => {
    const keeper = { owner: 'a', generation: 1 };
    const first = runAt(0);
    expect(keepRun(keeper, '0/plus', first)).toEqual({ resident: true, step: 0 });
    expect(keptRun(keeper, '0/plus', 0)).toBe(first);
    const second = runAt(5);
    keepRun(keeper, '0/plus', second);
    expect(tensorsOf(first).every((t) => t.isDisposed)).toBe(true);
    expect(keptRun(keeper, '0/plus', 5)).toBe(second);
    dropRuns('a');
    expect(tensorsOf(second).every((t) => t.isDisposed)).toBe(true);
  });

  it('a run asked for at another step, under another generation or never kept is refused, naming it', () => {
    const keeper = { owner: 'b', generation: 1 };
    keepRun(keeper, '1/minus', runAt(10));
    expect(() => keptRun(keeper, '1/minus', 5)).toThrow(
      'particle run 1/minus of estimator b (generation 1) is not kept on this worker at step 5 (it is at step 10)',
    );
    expect(() => keptRun({ owner: 'b', generation: 2 }, '1/minus', 10)).toThrow(/generation 2\) is not kept/);
    expect(() => keptRun(keeper, '2/plus', 10)).toThrow(/particle run 2\/plus of estimator b/);
    dropRuns('b');
    expect(() => keptRun(keeper, '1/minus', 10)).toThrow(/not kept on this worker/);
  });

  it("a new generation frees the owner's older runs and leaves other owners' alone", () => {
    const before = tf.memory().numTensors;
    const old = runAt(3);
    const other = runAt(3);
    keepRun({ owner: 'c', generation: 1 }, '0/plus', old);
    keepRun({ owner: 'd', generation: 1 }, '0/plus', other);
    keepRun({ owner: 'c', generation: 2 }, '0/plus', runAt(0));
    expect(tensorsOf(old).every((t) => t.isDisposed)).toBe(true);
    expect(keptRun({ owner: 'd', generation: 1 }, '0/plus', 3)).toBe(other);
    dropRuns('c');
    dropRuns('d');
    expect(tf.memory().numTensors).toBe(before);
  });
});
