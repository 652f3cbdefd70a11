import { describe, expect, it } from 'vitest';
import { compareRunGroups } from './run-comparison.js';
import {
  groupBySetting,
  groupDifference,
  meanBand,
  type RunRecord,
  sharesEvaluationTasks,
} from './seed-groups.js';

/** A finished rl2 run with one evaluation of `best`. */
function run(seed: number, config: Record<string, unknown>, best: number): RunRecord {
  return {
    dir: `runs/${JSON.stringify(config)}-${seed}`,
    kind: 'rl2-train',
    config: {
      env: 'bandit',
      arms: 5,
      episodes: 10,
      evalTrials: 500,
      hidden: 32,
      workers: 2,
      ...config,
      seed,
    },
    seed: String(seed),
    evaluations: [{ step: 10, value: best, seconds: 60 }],
    objective: { name: 'held-out mean return', higherIsBetter: true },
  };
}

describe('runs across seeds', () => {
  it('groups runs that differ only in seed (or worker count, evaluation interval), labelled by what sets them apart', () => {
    const groups = groupBySetting([
      run(0, { hidden: 32 }, 1),
      run(0, { hidden: 64 }, 2),
      run(1, { hidden: 32, workers: 1, evalEvery: 5 }, 3),
    ]);
    expect(groups.map((g) => [g.label, g.runs.length])).toEqual([
      ['hidden=32', 2],
      ['hidden=64', 1],
    ]);
  });

  it('ignores settings the algorithm never reads: TRPO runs differing only in the entropy bonus are one setting', () => {
    const groups = groupBySetting([
      run(0, { algorithm: 'trpo', entropyCoefficient: 0.01 }, 1),
      run(1, { algorithm: 'trpo', entropyCoefficient: 0.03 }, 2),
      run(0, { algorithm: 'ppo', entropyCoefficient: 0.03, maxKl: 0.01 }, 3),
      run(0, { algorithm: 'ppo', entropyCoefficient: 0, maxKl: 0.02 }, 4),
    ]);
    // maxKl differs only between PPO runs, which never read it.
    expect(groups.map((g) => [g.label, g.runs.length])).toEqual([
      ['algorithm=trpo', 2],
      ['algorithm=ppo entropyCoefficient=0.03', 1],
      ['algorithm=ppo entropyCoefficient=0', 1],
    ]);
  });

  it('reads a setting a run predates at its default: runs before the memory existed are memorySlots=0', () => {
    const groups = groupBySetting([
      run(0, {}, 1),
      run(0, { memorySlots: 16 }, 2),
      run(1, { memorySlots: 0 }, 3),
    ]);
    expect(groups.map((g) => [g.label, g.runs.length])).toEqual([
      ['memorySlots=0', 2],
      ['memorySlots=16', 1],
    ]);
  });

  it('pairs seed by seed on shared evaluation tasks, so seed-to-seed variance cancels', () => {
    // Seeds differ a lot (task difficulty); the wider network is better by exactly 1 on each.
    const base = [10, 30, 50, 70];
    const small = base.map((b, seed) => run(seed, { hidden: 32 }, b));
    const wide = base.map((b, seed) => run(seed, { hidden: 64 }, b + 1));
    const [reference, group] = groupBySetting([...small, ...wide]);
    const best = (r: RunRecord) => r.evaluations[0]!.value;
    const paired = groupDifference(group!, reference!, best);
    expect(paired).toMatchObject({ method: 'paired', mean: 1, stderr: 0, n: 4 });
    // Other bandits (arms) are other tasks: no pairing, and the spread across seeds shows.
    const otherTasks = base.map((b, seed) => run(seed, { arms: 10 }, b + 1));
    expect(sharesEvaluationTasks(otherTasks[0]!, small[0]!)).toBe(false);
    const [, unpairedGroup] = groupBySetting([...small, ...otherTasks]);
    const unpaired = groupDifference(unpairedGroup!, reference!, best);
    expect(unpaired.method).toBe('unpaired');
    expect(unpaired.mean).toBeCloseTo(1, 12);
    expect(unpaired.stderr).toBeGreaterThan(10);
    expect(compareRunGroups(groupBySetting([...small, ...wide]))[1]!.versusFirst).toEqual(paired);
  });

  it('averages curves at the steps every run has', () => {
    const band = meanBand([
      [
        { x: 1, y: 1 },
        { x: 2, y: 2 },
      ],
      [
        { x: 1, y: 3 },
        { x: 3, y: 9 },
      ],
    ]);
    expect(band).toEqual([{ x: 1, mean: 2, stderr: 1 }]);
  });
});
