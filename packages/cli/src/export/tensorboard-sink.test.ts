import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { histogramOf } from '@metagrad/core';
import { describe, expect, it } from 'vitest';
import { metagrad } from '../testing/run-metagrad.js';
import { decodeEvent } from './tensorboard.js';
import { TensorBoardSink } from './tensorboard-sink.js';
import { readTfRecords } from './tfrecord.js';

const events = (path: string) => readTfRecords(readFileSync(path)).map(decodeEvent);

describe('live TensorBoard logging', () => {
  it('appends each event as it comes, readable at once, histograms bucket for bucket', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-live-'));
    const sink = new TensorBoardSink(dir, 1_700_000_000);
    sink.emit({
      type: 'progress',
      time: 1_700_000_001_000,
      step: 1,
      metrics: { metaLoss: 0.5 },
      ms: 3,
    } as never);
    // Readable before the run ends: TensorBoard follows the file while it grows.
    expect(events(sink.path).at(-1)?.scalars).toEqual([
      { tag: 'progress/metaLoss', value: 0.5 },
      { tag: 'progress/ms', value: 3 },
    ]);
    const histogram = histogramOf([0, 1, 1, 2, 5], 4);
    sink.emit({
      type: 'evaluation',
      time: 1_700_000_002_000,
      step: 1,
      name: 'held-out loss',
      value: 0.25,
      histograms: { updateSize: histogram },
    } as never);
    sink.emit({ type: 'end', time: 1_700_000_003_000, step: 1 } as never);
    const all = events(sink.path);
    expect(all[0]?.wallTime).toBe(1_700_000_000);
    const evaluation = all.at(-1)!;
    expect(evaluation.step).toBe(1);
    expect(evaluation.scalars).toEqual([{ tag: 'evaluation/held-out loss', value: 0.25 }]);
    expect(evaluation.histograms).toEqual([{ tag: 'evaluation/updateSize', histogram }]);
    // A second sink in the same second gets a file of its own.
    const again = new TensorBoardSink(dir, 1_700_000_000);
    again.close();
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('rl2 train --tensorboard logs every iteration and the action probabilities at each evaluation', () => {
    const root = mkdtempSync(join(tmpdir(), 'tb-rl2-'));
    const dir = join(root, 'run');
    const result = metagrad(
      ...'rl2 train --arms 3 --episodes 5 --hidden 8 --batch 16 --iterations 4 --eval-every 2 --eval-trials 20 --workers 1 --no-tui --tensorboard --run-dir'.split(
        ' ',
      ),
      dir,
    );
    expect(result.code, result.stderr).toBe(0);
    const [file] = readdirSync(join(dir, 'tensorboard'));
    const logged = events(join(dir, 'tensorboard', file!));
    const steps = logged
      .filter((e) => e.scalars.some((s) => s.tag === 'progress/meanReturn'))
      .map((e) => e.step);
    expect(steps).toEqual([1, 2, 3, 4]);
    const probabilities = logged.flatMap((e) => e.histograms);
    expect(probabilities.map((h) => h.tag)).toEqual([
      'evaluation/actionProbability',
      'evaluation/actionProbability',
    ]);
    for (const { histogram } of probabilities) {
      // 20 trials × 5 one-step episodes, 3 actions each: every probability in [0, 1].
      expect(histogram.count).toBe(20 * 5 * 3);
      expect(histogram.min).toBeGreaterThanOrEqual(0);
      expect(histogram.max).toBeLessThanOrEqual(1);
      expect(histogram.sum).toBeCloseTo(20 * 5, 3); // each row sums to 1
    }
  });
});
