import * as tf from '@tensorflow/tfjs';

/** The part of tfjs's engine state that decides whether ops are recorded for gradients. */
interface TapeState {
  gradientDepth: number;
  kernelDepth: number;
  activeTape: unknown;
}

/**
 * Runs `f` as if no gradient tape were recording, and returns what it returns. Its ops are not
 * taped, so the tape neither keeps copies of their inputs for a backward pass nor walks them when
 * pruning; a gradient taken inside `f` records on a tape of its own, freed when it is done. For the
 * values a gradient treats as constants (a first-order meta-gradient's ∇f(θ)): no gradient flows
 * into or out of what `f` computes.
 */
export function offTape<T>(f: () => T): T {
  // tfjs has no public switch for this; `isTapeOn()` is `gradientDepth > 0 && kernelDepth === 0`.
  const state = tf.engine().state as unknown as TapeState;
  if (state.gradientDepth === 0 || state.kernelDepth > 0) return f();
  const { gradientDepth, activeTape } = state;
  state.gradientDepth = 0;
  try {
    return f();
  } finally {
    state.gradientDepth = gradientDepth;
    state.activeTape = activeTape;
  }
}
