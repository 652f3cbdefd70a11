import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gumbelMax } from '../gumbel/gumbel.js';
import { Rng } from '../random/rng.js';
import { chiSquareTest } from '../stats/chi-square.js';
import { Categorical } from './categorical.js';
import { argMaxRows, categoricalLogProbRows, gumbelMaxRows, softmaxRows } from './categorical-rows.js';

/** Logits `[rows × cols]` spread over a few units, with exact ties in the first row. */
function someLogits(rows: number, cols: number): Float32Array {
  const values = new Rng('logits').uniformArray(rows * cols).map((u) => 6 * u - 3);
  values.fill(0.25, 0, cols);
  return values;
}

describe('a categorical per row of a plain array', () => {
  const rows = 300;
  const cols = 5;
  const logits = someLogits(rows, cols);
  const tensor = tf.tensor2d(logits, [rows, cols]);

  it('samples what gumbelMax on the tensor samples, from the same stream', () => {
    const onHost = gumbelMaxRows(logits, rows, cols, new Rng('draw'));
    const reference = gumbelMax(tensor, new Rng('draw')).dataSync();
    expect(Array.from(onHost)).toEqual(Array.from(reference));
  });

  it('samples follow softmax(logits) (chi-square, α = 1e-3)', () => {
    const row = new Float32Array([0.5, -0.2, 1.3, -2, 0]);
    const n = 20_000;
    const many = new Float32Array(n * 5);
    for (let i = 0; i < n; i++) many.set(row, i * 5);
    const counts = [0, 0, 0, 0, 0];
    for (const a of gumbelMaxRows(many, n, 5, new Rng('freq'))) counts[a]! += 1;
    const z = Array.from(row).reduce((s, l) => s + Math.exp(l), 0);
    expect(
      chiSquareTest(
        counts,
        Array.from(row, (l) => Math.exp(l) / z),
      ).pValue,
    ).toBeGreaterThan(1e-3);
  });

  it('log-probabilities, probabilities and the most probable action agree with the tensor ops', () => {
    const actions = gumbelMaxRows(logits, rows, cols, new Rng('actions'));
    const lp = categoricalLogProbRows(logits, rows, cols, actions);
    const reference = new Categorical(tensor).logProb(tf.tensor1d(actions, 'int32')).dataSync();
    for (let r = 0; r < rows; r++) expect(Math.abs(lp[r]! - reference[r]!)).toBeLessThanOrEqual(1e-6);
    const p = softmaxRows(logits, rows, cols);
    const pReference = tf.softmax(tensor).dataSync();
    // Float32 rounding in another order: a few units in the last place.
    for (let i = 0; i < rows * cols; i++) {
      expect(Math.abs(p[i]! - pReference[i]!)).toBeLessThanOrEqual(8 * 2 ** -24 * pReference[i]!);
    }
    expect(Array.from(argMaxRows(logits, rows, cols))).toEqual(Array.from(tf.argMax(tensor, -1).dataSync()));
  });

  it('refuses arrays that are not rows × cols, naming the function', () => {
    expect(() => gumbelMaxRows(new Float32Array(7), 2, 4, new Rng('x'))).toThrow(
      'gumbelMaxRows: logits hold 7 values, not 2 rows × 4',
    );
    expect(() => categoricalLogProbRows(new Float32Array(8), 2, 4, new Int32Array(3))).toThrow(
      'categoricalLogProbRows: 3 actions for 2 rows',
    );
  });
});
