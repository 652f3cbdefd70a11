import { describe, expect, it } from 'vitest';
import {
  appendTimeInputs,
  type Rl2History,
  Rl2InputStream,
  rl2Input,
  rl2InputSize,
  timeInputs,
} from './rl2-input.js';

describe('time inputs', () => {
  const clock = { episodeLength: 10, episodes: 4 };
  const env = { observationSize: 2, numActions: 3, episodeLength: 10 };
  const history: Rl2History = {
    previousActions: Int32Array.of(2, 0),
    previousRewards: Float32Array.of(0.5, 1),
    previousObservations: Float32Array.of(5, 6, 7, 8),
    episodeEnded: true,
  };
  const observations = Float32Array.of(1, 2, 3, 4);
  const batch = 2;

  it('count the step within the episode, the episode, and the fraction of the trial left', () => {
    expect(timeInputs({ ...clock, step: 0 })).toEqual([0, 0, 1]);
    // Step 23: the 4th step of episode 2 (0-based), 17 of 40 steps still to come.
    expect(timeInputs({ ...clock, step: 23 })).toEqual([0.3, 0.5, 1 - 23 / 40]);
    for (const [i, v] of timeInputs({ ...clock, step: 39 }).entries())
      expect(v).toBeCloseTo([0.9, 0.75, 1 / 40][i]!, 12);
  });

  it('are appended after the RL² input, in the same place by rl2Input and appendTimeInputs', () => {
    const plain = rl2Input(observations, env, history, batch);
    const timed = rl2Input(observations, env, history, batch, { timeEpisodes: clock.episodes }, 23);
    expect(timed).toHaveLength(batch * rl2InputSize(2, 3, { timeEpisodes: 4 }));
    const size = rl2InputSize(2, 3);
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

describe('the RL² input', () => {
  const env = { observationSize: 3, numActions: 2, episodeLength: 2 };

  it('is the observation, one-hot previous action, reward and flag, then the previous observation and time', () => {
    const history: Rl2History = {
      previousActions: Int32Array.of(1),
      previousRewards: Float32Array.of(-0.25),
      previousObservations: Float32Array.of(0, 0, 1),
      episodeEnded: true,
    };
    const extras = { previousObservation: true, timeEpisodes: 3 };
    const row = rl2Input(Float32Array.of(1, 0, 0), env, history, 1, extras, 2);
    expect(Array.from(row)).toEqual([
      ...[1, 0, 0],
      ...[0, 1],
      -0.25,
      1,
      ...[0, 0, 1],
      ...Float32Array.from(timeInputs({ step: 2, episodeLength: 2, episodes: 3 })),
    ]);
    expect(row).toHaveLength(rl2InputSize(3, 2, extras));
  });

  it("carries each step's observation into the next step's input, across an episode's end, and copies it", () => {
    const stream = new Rl2InputStream(env, 2, { previousObservation: true });
    const first = Float32Array.of(1, 0, 0, 0, 1, 0);
    const firstInput = stream.next(first);
    // At the trial's first step there is no previous step: all zero beyond the observation.
    expect(Array.from(firstInput.subarray(3, 10))).toEqual([0, 0, 0, 0, 0, 0, 0]);
    stream.observe(Int32Array.of(0, 1), { rewards: Float32Array.of(2, 3), episodeDone: true });
    // An environment that writes its next observations into the same buffer.
    first.set([0, 0, 1, 1, 0, 0]);
    const second = stream.next(first);
    expect(Array.from(second.subarray(0, 10))).toEqual([0, 0, 1, 1, 0, 2, 1, 1, 0, 0]);
    expect(Array.from(second.subarray(10, 20))).toEqual([1, 0, 0, 0, 1, 3, 1, 0, 1, 0]);
  });
});
