// A categorical distribution per row of a plain `[rows × cols]` array (row-major): what loops that
// act on the host (rollouts, evaluation) use instead of tensor ops, rounded as those ops round.
import type { Rng } from '../random/rng.js';

function checkRows(what: string, logits: Float32Array, rows: number, cols: number): void {
  if (!Number.isInteger(cols) || cols < 1 || logits.length !== rows * cols) {
    throw new RangeError(`${what}: logits hold ${logits.length} values, not ${rows} rows × ${cols}`);
  }
}

/**
 * The maximum of the row of `cols` logits at `start`, and the float32 sum of exp(logit − max) over
 * it; each exponential is also written to `exps` at the same place when given.
 */
function shiftedExps(
  logits: Float32Array,
  start: number,
  cols: number,
  exps?: Float32Array,
): { max: number; sum: number } {
  const f = Math.fround;
  let max = Number.NEGATIVE_INFINITY;
  for (let j = start; j < start + cols; j++) max = Math.max(max, logits[j]!);
  let sum = 0;
  for (let j = start; j < start + cols; j++) {
    const e = f(Math.exp(f(logits[j]! - max)));
    if (exps) exps[j] = e;
    sum = f(sum + e);
  }
  return { max, sum };
}

/**
 * Gumbel-max on a plain array, for loops that act on the host: for each row of `logits`
 * `[rows × cols]` (row-major), the index of the largest `logits + G`, G = −log(−log u). The
 * uniforms are one `rng.uniformArray(rows · cols)`, as `gumbelMax(tensor, rng)` draws them, and
 * every step is rounded to float32 as the tensor ops round, so both give the same samples unless
 * their `log`s differ in the last bit at a near-tie. Ties go to the first index, as `tf.argMax`'s do.
 */
export function gumbelMaxRows(logits: Float32Array, rows: number, cols: number, rng: Rng): Int32Array {
  checkRows('gumbelMaxRows', logits, rows, cols);
  const u = rng.uniformArray(rows * cols);
  const out = new Int32Array(rows);
  const f = Math.fround;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let top = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      const perturbed = f(logits[i]! - f(Math.log(-f(Math.log(u[i]!)))));
      // A NaN is never chosen (a row of them gives index 0).
      if (perturbed > top) {
        top = perturbed;
        best = j;
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * log softmax(logits)[action] for each row of `logits` `[rows × cols]`, rounded as `tf.logSoftmax`
 * rounds (shift by the row's maximum, float32 sum of exponentials, subtract its log).
 */
export function categoricalLogProbRows(
  logits: Float32Array,
  rows: number,
  cols: number,
  actions: Int32Array,
): Float32Array {
  checkRows('categoricalLogProbRows', logits, rows, cols);
  if (actions.length !== rows) {
    throw new RangeError(`categoricalLogProbRows: ${actions.length} actions for ${rows} rows`);
  }
  const out = new Float32Array(rows);
  const f = Math.fround;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const { max, sum } = shiftedExps(logits, start, cols);
    out[r] = f(f(logits[start + actions[r]!]! - max) - f(Math.log(sum)));
  }
  return out;
}

/** The index of each row's largest logit, the first on ties (as `tf.argMax`). */
export function argMaxRows(logits: Float32Array, rows: number, cols: number): Int32Array {
  checkRows('argMaxRows', logits, rows, cols);
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let j = 1; j < cols; j++) if (logits[r * cols + j]! > logits[r * cols + best]!) best = j;
    out[r] = best;
  }
  return out;
}

/** softmax(logits) of each row, float32 (shifted by the row's maximum). */
export function softmaxRows(logits: Float32Array, rows: number, cols: number): Float32Array {
  checkRows('softmaxRows', logits, rows, cols);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    const { sum } = shiftedExps(logits, start, cols, out);
    for (let j = start; j < start + cols; j++) out[j] = out[j]! / sum;
  }
  return out;
}
