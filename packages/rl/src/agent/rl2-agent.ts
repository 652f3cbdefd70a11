import { argMaxRows, gumbelMax, gumbelMaxRows, type Rng, readTensors, softmaxRows } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { Env, StepResult, TaskBatch } from '../env/env.js';
import type { Policy, PolicyRun } from '../eval/policy.js';
import type { GruPolicy } from './gru-policy.js';
import { HostPolicyStep } from './host-policy-step.js';
import { type Rl2InputExtras, Rl2InputStream } from './rl2-input.js';

/** Options of {@link Rl2Agent}. */
export interface Rl2AgentOptions {
  /**
   * Keep the action probabilities of the first this-many (trial, step) rows the agent acts on, for
   * {@link Rl2Agent.takeRecordedProbabilities}; default none.
   */
  recordProbabilities?: number;
  /** What the network's inputs hold beyond the paper's (as it was trained); default nothing. */
  inputs?: Rl2InputExtras;
  /** Take the most probable action instead of sampling one; default false (sampled, as in training). */
  greedy?: boolean;
}

/**
 * A trained RL² network as a {@link Policy}: its GRU state starts at zero with each trial and is
 * kept across the trial's episodes; actions are sampled (Gumbel-max) from its policy head, or the
 * most probable one is taken with `greedy`.
 */
export class Rl2Agent implements Policy {
  readonly name = 'rl2';
  /** Recorded probabilities: tensors where the network steps as tensors, arrays where it steps on the host. */
  private readonly recorded: (tf.Tensor | Float32Array)[] = [];
  private recordedCount = 0;

  constructor(
    readonly network: GruPolicy,
    readonly env: Env,
    private readonly options: Rl2AgentOptions = {},
  ) {}

  /** The recorded action probabilities, `[rows × numActions]` flattened; clears the record. */
  async takeRecordedProbabilities(): Promise<Float32Array> {
    const tensors = this.recorded.filter((r): r is tf.Tensor => r instanceof tf.Tensor);
    // One transfer for all the tensors.
    const read = await readTensors(tensors);
    tf.dispose(tensors);
    let next = 0;
    const parts = this.recorded.map((r) => (r instanceof tf.Tensor ? read[next++]! : r));
    const values = new Float32Array(parts.reduce((sum, p) => sum + p.length, 0));
    let at = 0;
    for (const part of parts) {
      values.set(part, at);
      at += part.length;
    }
    this.recorded.length = 0;
    this.recordedCount = 0;
    return values;
  }

  describe() {
    return {
      name: this.name,
      hidden: this.network.shape.hidden,
      embedding: this.network.shape.embedding ?? 0,
      memorySlots: this.network.shape.memory?.slots ?? 0,
      actions: this.options.greedy ? 'greedy' : 'sampled',
    };
  }

  startTrials(tasks: TaskBatch, env: Env): PolicyRun {
    const inputs = new Rl2InputStream(env, tasks.batch, this.options.inputs);
    const host = HostPolicyStep.applies(this.network)
      ? HostPolicyStep.start(this.network, tasks.batch)
      : undefined;
    let hidden: tf.Tensor2D | undefined = host ? undefined : this.network.initialState(tasks.batch);
    return {
      act: async (observations: Float32Array, rng: Rng) => {
        const input = inputs.next(observations);
        const record = Math.min(tasks.batch, (this.options.recordProbabilities ?? 0) - this.recordedCount);
        if (record > 0) this.recordedCount += record;
        const stepper = await host;
        if (stepper) return this.actOnHost(stepper, input, record, rng);
        const out = tf.tidy(() => {
          const step = this.network.step(tf.tensor2d(input, [tasks.batch, inputs.size]), hidden!, false);
          const probabilities = record > 0 ? tf.softmax(step.logits.slice(0, record)) : undefined;
          const actions = this.options.greedy ? tf.argMax(step.logits, -1) : gumbelMax(step.logits, rng);
          return { hidden: step.hidden, actions, probabilities };
        });
        if (out.probabilities) this.recorded.push(out.probabilities);
        hidden!.dispose();
        hidden = out.hidden;
        const [actions] = await readTensors([out.actions]);
        out.actions.dispose();
        return Int32Array.from(actions!);
      },
      observe: (actions: Int32Array, result: StepResult) => inputs.observe(actions, result),
      dispose: () => hidden?.dispose(),
    };
  }

  /** One step of the network on the host: the same actions as the tensor step's (see {@link HostPolicyStep}). */
  private actOnHost(stepper: HostPolicyStep, input: Float32Array, record: number, rng: Rng): Int32Array {
    const { logits } = stepper.step(input);
    const a = this.network.shape.actions;
    const rows = logits.length / a;
    if (record > 0) this.recorded.push(softmaxRows(logits.subarray(0, record * a), record, a));
    return this.options.greedy ? argMaxRows(logits, rows, a) : gumbelMaxRows(logits, rows, a, rng);
  }
}
