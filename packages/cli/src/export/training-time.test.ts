import { describe, expect, it } from 'vitest';
import { trainingSeconds } from './training-time.js';

describe('trainingSeconds', () => {
  it('sums wall time over sessions, leaving out the time a stopped run waited for --resume', () => {
    const events = [
      { type: 'start', time: 1_000 },
      { type: 'progress', time: 3_000 },
      { type: 'evaluation', time: 4_000 },
      // stopped here; resumed an hour later
      { type: 'start', time: 3_604_000, resumed: true },
      { type: 'progress' }, // no time: keeps the previous value
      { type: 'progress', time: 3_606_500 },
    ];
    expect(trainingSeconds(events)).toEqual([0, 2, 3, 3, 3, 5.5]);
  });

  it('starts the clock at the first timed event of a log without a start event', () => {
    expect(
      trainingSeconds([
        { type: 'progress', time: 500 },
        { type: 'progress', time: 2_500 },
      ]),
    ).toEqual([0, 2]);
  });
});
