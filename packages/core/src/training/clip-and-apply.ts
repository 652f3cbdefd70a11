import * as tf from '@tensorflow/tfjs';
import { readScalars, readTensors } from '../backend/read-tensors.js';
import { type AdamHyperparameters, type AdamState, adamStep, disposeAdam } from './adam-state.js';

/** Parameters clipped together: their gradients share one global norm. */
export interface ClipGroup {
  variables: readonly tf.Variable[];
  gradients: readonly tf.Tensor[];
}

/** What {@link clipAndApply} did. */
export interface ClipAndApplyResult {
  /** True when the weights were updated. */
  applied: boolean;
  /** Why not: a loss or gradient was NaN/Inf, or the update would have made a weight NaN/Inf. */
  skipped?: 'non-finite-gradient' | 'non-finite-weights';
  /** Each group's gradient norm before clipping. */
  norms: number[];
  /** The values of `check` (losses), read in the same transfer. */
  checked: number[];
  /** The Adam state to use next (the old one, unchanged, when nothing was applied). */
  adam: AdamState;
}

/**
 * The one update rule both trainers use: global-norm clipping per group (each group's gradient is
 * scaled by min(1, clipNorm / ‖g‖)), then Adam. Nothing changes when a loss in `check` or any
 * gradient is non-finite, or when the updated weights would not all be finite: the step is then
 * skipped and says why. Disposes the gradients; the Adam state passed in is disposed when replaced.
 *
 * @example
 * ```ts
 * const r = await clipAndApply([{ variables, gradients }], adam, { learningRate: 3e-3 }, 1, [loss]);
 * adam = r.adam;
 * if (!r.applied) skipped++;
 * ```
 */
export async function clipAndApply(
  groups: readonly ClipGroup[],
  adam: AdamState,
  hyper: AdamHyperparameters,
  clipNorm: number,
  check: readonly tf.Tensor[] = [],
): Promise<ClipAndApplyResult> {
  const gradients = groups.flatMap((g) => g.gradients);
  try {
    const read = tf.tidy(() =>
      tf.concat([
        ...groups.map((g) => tf.reshape(tf.sqrt(tf.addN(g.gradients.map((x) => tf.sum(tf.square(x))))), [1])),
        ...check.map((c) => tf.reshape(c, [-1])),
      ]),
    );
    const numbers = Array.from((await readTensors([read]))[0]!);
    read.dispose();
    const norms = numbers.slice(0, groups.length);
    const checked = numbers.slice(groups.length);
    if (!numbers.every(Number.isFinite)) {
      return { applied: false, skipped: 'non-finite-gradient', norms, checked, adam };
    }
    const clipped = groups.flatMap((g, i) => {
      const scale = Math.min(1, clipNorm / Math.max(norms[i]!, 1e-12));
      return g.gradients.map((x) => (scale === 1 ? x : tf.mul(x, scale)));
    });
    const { updates, state } = adamStep(adam, clipped, hyper);
    tf.dispose(clipped.filter((c) => !gradients.includes(c)));
    const variables = groups.flatMap((g) => g.variables);
    const next = tf.tidy(() => variables.map((v, i) => tf.add(v, updates[i]!)));
    tf.dispose(updates);
    // 0·x is 0 for every finite x and NaN for ±Inf and NaN: one sum checks every weight.
    const finite = tf.tidy(() => tf.addN(next.map((n) => tf.sum(tf.mul(n, 0)))));
    const [sum] = await readScalars([finite]);
    const ok = sum === 0;
    finite.dispose();
    if (!ok) {
      tf.dispose(next);
      disposeAdam(state);
      return { applied: false, skipped: 'non-finite-weights', norms, checked, adam };
    }
    variables.forEach((v, i) => {
      // assign() shares the new value's data; the tensor object itself must still be disposed.
      v.assign(next[i]!);
    });
    tf.dispose(next);
    disposeAdam(adam);
    return { applied: true, norms, checked, adam: state };
  } finally {
    tf.dispose(gradients as tf.Tensor[]);
  }
}
