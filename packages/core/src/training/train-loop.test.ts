import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySink } from '../logging/run-event.js';
import { CheckpointStore } from './checkpoint-store.js';
import type { NamedValues } from './named-values.js';
import type { TrainEvent } from './train-events.js';
import { TrainLoop, type TrainProgram } from './train-loop.js';

/** A program whose weight counts its steps; evaluation peaks at w = 5. `poisonAt` makes w NaN. */
class Counter implements TrainProgram {
  readonly unit = 'tick';
  readonly objective = { name: 'closeness to 5', higherIsBetter: true };
  readonly headline = ['w'];
  w = 0;
  constructor(
    readonly total: number,
    private readonly poisonAt = -1,
  ) {}
  async step(index: number) {
    this.w = index === this.poisonAt ? Number.NaN : this.w + 1;
    return { metrics: { w: this.w }, skipped: false };
  }
  evaluate() {
    return { value: -Math.abs(this.w - 5) };
  }
  async weights(): Promise<NamedValues[]> {
    return [{ name: 'w', shape: [1], values: new Float32Array([this.w]) }];
  }
  async checkpoint() {
    return { state: { note: 'counter' }, tensors: { weights: await this.weights() } };
  }
  restore(state: Record<string, unknown>, tensors: Record<string, NamedValues[]>) {
    expect(state).toEqual({ note: 'counter' });
    this.w = tensors.weights![0]!.values[0]!;
  }
}

const store = () => new CheckpointStore(mkdtempSync(join(tmpdir(), 'loop-')), { kind: 'counter', keep: 10 });

describe('TrainLoop', () => {
  it('evaluates and checkpoints on its cadence and at the end, and keeps the best weights', async () => {
    const events = new MemorySink<TrainEvent>();
    const checkpoints = store();
    const summary = await new TrainLoop({
      program: new Counter(9),
      events,
      checkpoints,
      evalEvery: 2,
      checkpointEvery: 4,
    }).run();
    const of = (type: string) =>
      events.events.filter((e) => e.type === type).map((e) => (e as { step: number }).step);
    expect(of('progress')).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(of('evaluation')).toEqual([2, 4, 6, 8, 9]);
    expect(of('checkpoint')).toEqual([4, 8, 9]);
    // Evaluations at w = 2, 4, 6, 8, 9: the best is w = 4 or 6 (both 1 away); the first one stays.
    expect(summary).toMatchObject({
      steps: 9,
      reason: 'completed',
      best: { value: -1, higherIsBetter: true },
    });
    expect(Array.from(summary.bestWeights![0]!.values)).toEqual([4]);
    expect(checkpoints.latest()!.data.tensors['loop/best']![0]!.values[0]).toBe(4);
  });

  it('a stop writes a checkpoint where it stopped, and a resume continues with the same events', async () => {
    const full = new MemorySink<TrainEvent>();
    await new TrainLoop({ program: new Counter(8), events: full, evalEvery: 3, checkpointEvery: 100 }).run();
    const checkpoints = store();
    let steps = 0;
    const first: TrainLoop = new TrainLoop({
      program: new Counter(8),
      checkpoints,
      evalEvery: 3,
      checkpointEvery: 100,
      beforeStep: async () => {
        if (++steps === 6) first.stop();
      },
    });
    expect((await first.run()).reason).toBe('stopped');
    const resumeFrom = checkpoints.latest()!.data;
    expect(resumeFrom.step).toBe(5);
    const resumed = new MemorySink<TrainEvent>();
    const summary = await new TrainLoop({
      program: new Counter(8),
      events: resumed,
      resumeFrom,
      evalEvery: 3,
      checkpointEvery: 100,
    }).run();
    const strip = (events: TrainEvent[]) =>
      events
        .filter((e) => e.type === 'progress' || e.type === 'evaluation')
        .map(({ time, ...rest }) => ({ ...rest, ms: 0, tensors: 0, bytes: 0 }));
    // From step 6 on: progress 6, evaluation 6, progress 7, progress 8, evaluation 8.
    expect(strip(resumed.events)).toEqual(strip(full.events).slice(-5));
    // Evaluations at w = 3 (before the stop, kept in the checkpoint), 6 and 8: the best is w = 6.
    expect(summary.best?.value).toBe(-1);
    expect(Array.from(summary.bestWeights![0]!.values)).toEqual([6]);
  });

  it('stops a run whose weights stop being finite: reason failed, nothing checkpointed after', async () => {
    const events = new MemorySink<TrainEvent>();
    const checkpoints = store();
    const summary = await new TrainLoop({
      program: new Counter(10, 3),
      events,
      checkpoints,
      evalEvery: 1,
      checkpointEvery: 1,
    }).run();
    expect(summary).toMatchObject({ steps: 4, reason: 'failed' });
    expect(checkpoints.latest()!.data.step).toBe(3);
    expect(events.events.at(-1)).toMatchObject({ type: 'end', reason: 'failed', step: 4 });
  });
});
