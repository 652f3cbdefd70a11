import type { Workload } from './workload.js';

/**
 * Runs `workload` `warmup` times untimed (none for on-demand experiments), then `runs` times timed;
 * returns the times in ms, sorted. `afterRun` is called after each timed run (memory sampling).
 */
export async function timeRuns<S>(
  workload: Workload<S>,
  state: S,
  runs: number,
  warmup: number,
  afterRun?: () => void,
): Promise<number[]> {
  for (let i = 0; i < (workload.onDemand ? 0 : warmup); i++) await workload.run(state);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await workload.run(state);
    times.push(performance.now() - t0);
    afterRun?.();
  }
  return times.sort((a, b) => a - b);
}

/** The q-quantile of sorted values, interpolated linearly. */
export function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
