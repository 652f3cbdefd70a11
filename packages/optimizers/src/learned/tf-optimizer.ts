import * as tf from '@tensorflow/tfjs';
import {
  disposeLearnedState,
  type LearnedOptimizer,
  type LearnedOptimizerState,
} from './learned-optimizer.js';

function keepState(state: LearnedOptimizerState): LearnedOptimizerState {
  for (const t of Object.values(state)) tf.keep(t);
  return state;
}

interface VariableState {
  state: LearnedOptimizerState;
  step: number;
}

/**
 * A learned optimizer as a drop-in `tf.train.Optimizer`: use it in `model.compile({ optimizer })`
 * of tfjs-layers or in a plain `optimizer.minimize(f)` loop. Each variable keeps its own
 * recurrent state (one LSTM state per coordinate), created on its first update.
 *
 * @example
 * ```ts
 * const optimizer = new LearnedTfOptimizer(loadLearnedOptimizer('runs/quad/optimizer'));
 * model.compile({ optimizer, loss: 'categoricalCrossentropy' });
 * await model.fit(xs, ys, { epochs: 5 });
 * ```
 */
export class LearnedTfOptimizer extends tf.Optimizer {
  static className = 'MetagradLearnedOptimizer';
  readonly learned: LearnedOptimizer;
  private readonly states = new Map<string, VariableState>();

  constructor(learned: LearnedOptimizer) {
    super();
    this.learned = learned;
  }

  override applyGradients(
    variableGradients: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[],
  ): void {
    const entries = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor] as const)
      : Object.entries(variableGradients);
    for (const [name, gradient] of entries) {
      if (gradient == null) continue;
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`LearnedTfOptimizer: no variable named ${name}`);
      let entry = this.states.get(name);
      if (!entry) {
        // tfjs-layers calls this inside tf.tidy; recurrent state must outlive it.
        entry = { state: keepState(this.learned.initialState(variable.size)), step: 0 };
        this.states.set(name, entry);
      }
      const current = entry;
      const { update, state } = tf.tidy(() => {
        const out = this.learned.update(
          gradient.reshape([1, -1]) as tf.Tensor2D,
          current.state,
          this.learned.contextForStep(current.step),
        );
        return { update: out.update.reshape(variable.shape), state: out.state };
      });
      disposeLearnedState(current.state);
      current.state = keepState(state);
      current.step++;
      // assign() shares the new value's data; the tensor object itself must still be disposed.
      const next = tf.tidy(() => tf.add(variable, update));
      variable.assign(next);
      next.dispose();
      update.dispose();
    }
    this.incrementIterations();
  }

  /** Number of variables with recurrent state. */
  get trackedVariables(): number {
    return this.states.size;
  }

  /** Forgets every variable's recurrent state (e.g. before optimizing a new model). */
  resetState(): void {
    for (const { state } of this.states.values()) disposeLearnedState(state);
    this.states.clear();
  }

  override dispose(): void {
    this.resetState();
    super.dispose();
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learnedOptimizer: this.learned.config() as unknown as tf.serialization.ConfigDictValue };
  }
}
