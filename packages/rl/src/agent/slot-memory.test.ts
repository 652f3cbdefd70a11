import { ParameterStore, Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  addSlotMemoryWeights,
  type SlotMemoryReads,
  type SlotMemoryShape,
  slotMemoryReadoutSize,
  slotMemorySequence,
  slotMemoryStateSize,
  slotMemoryStep,
} from './slot-memory.js';

/** Reads as one row per (step, trial): the means, then the log-counts. */
function joined(reads: SlotMemoryReads): Float32Array {
  return tf.tidy(() => tf.concat([reads.means, reads.seen], 1).dataSync() as Float32Array);
}

/** Reads of whole trials `[T, B, I]` step by step through the recurrent form, rows as {@link joined}. */
function readsStepByStep(inputs: tf.Tensor3D, params: ParameterStore, shape: SlotMemoryShape): Float32Array {
  const [steps, batch] = inputs.shape;
  let memory = tf.zeros([batch, slotMemoryStateSize(shape)]) as tf.Tensor2D;
  const rows: Float32Array[] = [];
  for (let t = 0; t < steps; t++) {
    const input = tf.squeeze(tf.slice(inputs, [t, 0, 0], [1, -1, -1]), [0]) as tf.Tensor2D;
    const out = slotMemoryStep(input, memory, params, shape);
    rows.push(joined(out.reads));
    tf.dispose([input, memory, out.reads.means, out.reads.seen]);
    memory = out.memory;
  }
  memory.dispose();
  const all = new Float32Array(steps * batch * slotMemoryReadoutSize(shape));
  for (const [t, row] of rows.entries()) all.set(row, t * row.length);
  return all;
}

describe('slot memory', () => {
  it.each([
    ['learned', {}],
    ['by observation', { keyedBy: { current: 0, previous: 4, size: 3 } }],
  ])(
    'gives the same reads step by step (recurrent form) as over whole trials (attention form), addresses %s',
    (_, keys) => {
      const shape = { slots: 6, heads: 3, width: 4, ...keys };
      const params = new ParameterStore('memory');
      addSlotMemoryWeights(params, 7, shape, new Rng(1));
      const inputs = new Rng(2).normalTensor([12, 5, 7]) as tf.Tensor3D;
      const whole = joined(slotMemorySequence(inputs, params, shape));
      const stepped = readsStepByStep(inputs, params, shape);
      expect(whole.length).toBe(12 * 5 * slotMemoryReadoutSize(shape));
      let worst = 0;
      for (let i = 0; i < whole.length; i++)
        worst = Math.max(worst, Math.abs(whole[i]! - stepped[i]!) / (1 + Math.abs(stepped[i]!)));
      // Two summation orders of at most 12 float32 terms.
      expect(worst).toBeLessThan(1e-5);
      params.dispose();
    },
  );

  it.each(['learned', 'observation'] as const)(
    'can hold a table of mean rewards per (state, action), addresses %s: by state, counted by action',
    (keys) => {
      // Inputs [previous state (3) | previous action (2) | reward | current state (3)].
      const [states, actions, steps, batch] = [3, 2, 20, 4];
      const inputSize = 2 * states + actions + 1;
      const current = states + actions + 1;
      const keyedBy = keys === 'observation' ? { current, previous: 0, size: states } : undefined;
      const shape = { slots: states, heads: 1, width: actions, ...(keyedBy && { keyedBy }) };
      const params = new ParameterStore('memory');
      addSlotMemoryWeights(params, inputSize, shape, new Rng(3));
      const sharp = 30;
      const set = (name: string, fill: (values: Float32Array) => void) => {
        const variable = params.get(name);
        const values = new Float32Array(variable.size);
        fill(values);
        variable.assign(tf.tensor(values, variable.shape));
      };
      // Previous state s → slot s (its rows come first in both maps' inputs); a read in current
      // state s → slot s (through the same map when addressed by observation).
      set('memoryKeyW', (w) => {
        for (let s = 0; s < states; s++) w[s * states + s] = sharp;
      });
      if (!keyedBy)
        set('memoryQueryW', (w) => {
          for (let s = 0; s < states; s++) w[(current + s) * states + s] = sharp;
        });
      // Pair a: value = [previous action a] × reward; count = [previous action a].
      set('memoryGateW', (w) => {
        for (let a = 0; a < actions; a++) w[(states + a) * actions + a] = 1;
      });
      set('memoryValueW', (w) => w.fill(1, (states + actions) * actions, (states + actions + 1) * actions));
      set('memoryCountW', (w) => {
        for (let a = 0; a < actions; a++) w[(states + a) * actions + a] = 1;
      });
      const rng = new Rng(4);
      const x = new Float32Array(steps * batch * inputSize);
      const expected = new Float32Array(steps * batch * actions);
      for (let i = 0; i < batch; i++) {
        const sums = new Float64Array(states * actions);
        const counts = new Float64Array(states * actions);
        for (let t = 0; t < steps; t++) {
          const [previous, action, now] = [rng.int(states), rng.int(actions), rng.int(states)];
          const reward = rng.normal();
          const row = x.subarray((t * batch + i) * inputSize, (t * batch + i + 1) * inputSize);
          row[previous] = 1;
          row[states + action] = 1;
          row[states + actions] = reward;
          row[current + now] = 1;
          sums[previous * actions + action]! += reward;
          counts[previous * actions + action]! += 1;
          for (let a = 0; a < actions; a++)
            expected[(t * batch + i) * actions + a] =
              sums[now * actions + a]! / (1 + counts[now * actions + a]!);
        }
      }
      const { means } = slotMemorySequence(tf.tensor3d(x, [steps, batch, inputSize]), params, shape);
      // One head: each row's means are the table's entries for the current state's actions.
      const read = means.dataSync();
      for (let r = 0; r < steps * batch * actions; r++) expect(read[r]).toBeCloseTo(expected[r]!, 4);
      params.dispose();
    },
  );

  it('refuses a shape that is not positive integers, naming the field', () => {
    const params = new ParameterStore('memory');
    expect(() => addSlotMemoryWeights(params, 3, { slots: 0, heads: 1, width: 1 }, new Rng(0))).toThrow(
      /slots must be a positive integer, got 0/,
    );
  });
});
