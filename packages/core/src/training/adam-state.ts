import * as tf from '@tensorflow/tfjs';
import { type NamedValues, valuesOf } from './named-values.js';

/** Adam's hyperparameters. */
export interface AdamHyperparameters {
  learningRate: number;
  /** β₁. Default 0.9. */
  beta1?: number;
  /** β₂. Default 0.999. */
  beta2?: number;
  /** ε. Default 1e-8. */
  epsilon?: number;
}

/**
 * One Adam step (Kingma & Ba 2015) on one tensor, as a pure function: m ← β₁m + (1−β₁)g,
 * v ← β₂v + (1−β₂)g², Δθ = −α·m̂ / (√v̂ + ε), for the `t`-th update (1-based). Returns new tensors;
 * the caller owns and disposes the old moments.
 */
export function adamUpdate(
  gradient: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  t: number,
  hyper: AdamHyperparameters,
): { update: tf.Tensor; m: tf.Tensor; v: tf.Tensor } {
  const beta1 = hyper.beta1 ?? 0.9;
  const beta2 = hyper.beta2 ?? 0.999;
  const epsilon = hyper.epsilon ?? 1e-8;
  return tf.tidy(() => {
    const m1 = tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1));
    const v1 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2));
    // Both bias corrections folded into the step size: α·√(1−β₂ᵗ)/(1−β₁ᵗ).
    const stepSize = (hyper.learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    const epsilonHat = epsilon * Math.sqrt(1 - beta2 ** t);
    const update = tf.div(tf.mul(m1, -stepSize), tf.add(tf.sqrt(v1), epsilonHat));
    return { update, m: m1, v: v1 };
  });
}

/**
 * Adam's state for a list of parameters, as plain tensors: the number of applied updates and the
 * first and second moments, one per parameter in order. Nothing hides in a tfjs optimizer's private
 * fields, so a checkpoint restores it exactly.
 */
export interface AdamState {
  step: number;
  m: tf.Tensor[];
  v: tf.Tensor[];
}

/** Zero moments for `parameters`. */
export function initAdam(parameters: readonly tf.Tensor[]): AdamState {
  return {
    step: 0,
    m: parameters.map((p) => tf.zerosLike(p)),
    v: parameters.map((p) => tf.zerosLike(p)),
  };
}

/**
 * One Adam step for every parameter: the updates to add, and the next state (the old one is left
 * to the caller, so a step can be discarded).
 */
export function adamStep(
  state: AdamState,
  gradients: readonly tf.Tensor[],
  hyper: AdamHyperparameters,
): { updates: tf.Tensor[]; state: AdamState } {
  const t = state.step + 1;
  const results = gradients.map((g, i) => adamUpdate(g, state.m[i]!, state.v[i]!, t, hyper));
  return {
    updates: results.map((r) => r.update),
    state: { step: t, m: results.map((r) => r.m), v: results.map((r) => r.v) },
  };
}

/** Frees an Adam state's tensors. */
export function disposeAdam(state: AdamState): void {
  tf.dispose([...state.m, ...state.v]);
}

/** The moments as named values for a checkpoint (`m/<name>`, `v/<name>`). */
export function adamValues(state: AdamState, names: readonly string[]): Promise<NamedValues[]> {
  return valuesOf([...state.m, ...state.v], [...names.map((n) => `m/${n}`), ...names.map((n) => `v/${n}`)]);
}

/** Rebuilds an Adam state from {@link adamValues}; throws naming a missing or misshapen moment. */
export function adamFromValues(
  step: number,
  values: NamedValues[],
  parameters: readonly tf.Tensor[],
  names: readonly string[],
): AdamState {
  const byName = new Map(values.map((w) => [w.name, w]));
  const moment = (prefix: string) =>
    parameters.map((p, i) => {
      const w = byName.get(`${prefix}/${names[i]}`);
      if (!w) throw new Error(`missing Adam moment ${prefix}/${names[i]}`);
      if (w.values.length !== p.size) throw new Error(`Adam moment ${prefix}/${names[i]} has the wrong size`);
      return tf.tensor(w.values, p.shape);
    });
  return { step, m: moment('m'), v: moment('v') };
}
