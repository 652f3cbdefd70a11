import { describe, expect, it } from 'vitest';
import { appendTimeInputs, rl2Input, rl2InputSize, timeInputs } from './rl2-input.js';

describe('time inputs', () => {
  const clock = { episodeLength: 10, episodes: 4 };

  it('count the step within the episode, the episode, and the fraction of the trial left', () => {
    expect(timeInputs({ ...clock, step: 0 })).toEqual([0, 0, 1]);
    // Step 23: the 4th step of episode 2 (0-based), 17 of 40 steps still to come.
    expect(timeInputs({ ...clock, step: 23 })).toEqual([0.3, 0.5, 1 - 23 / 40]);
    for (const [i, v] of timeInputs({ ...clock, step: 39 }).entries())
      expect(v).toBeCloseTo([0.9, 0.75, 1 / 40][i]!, 12);
  });

  it('are appended after the RL² input, in the same place by rl2Input and appendTimeInputs', () => {
    const [observationSize, actions, batch] = [2, 3, 2];
    const args = [
      Float32Array.of(1, 2, 3, 4),
      observationSize,
      Int32Array.of(2, 0),
      Float32Array.of(0.5, 1),
      true,
      actions,
      batch,
    ] as const;
    const plain = rl2Input(...args);
    const timed = rl2Input(...args, { ...clock, step: 23 });
    expect(timed).toHaveLength(batch * rl2InputSize(observationSize, actions, true));
    const size = rl2InputSize(observationSize, actions);
    const appended = appendTimeInputs([new Float32Array(plain.length), plain], batch, size, clock)[1]!;
    // Row 1 of step 1 of the appended rows equals step 23's timed row except for the clock.
    expect(Array.from(appended.subarray(0, size))).toEqual(Array.from(plain.subarray(0, size)));
    expect(Array.from(timed.subarray(0, size))).toEqual(Array.from(plain.subarray(0, size)));
    expect(Array.from(timed.subarray(size, size + 3))).toEqual(
      Array.from(Float32Array.from(timeInputs({ ...clock, step: 23 }))),
    );
    expect(Array.from(appended.subarray(size + 3 + size, 2 * (size + 3)))).toEqual(
      Array.from(Float32Array.from(timeInputs({ ...clock, step: 1 }))),
    );
  });
});
