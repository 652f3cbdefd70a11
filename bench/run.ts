/**
 * `pnpm bench`: runs every registered workload on each available backend, prints a table of
 * medians and writes JSON to bench/results/ (or --out). Timing lives here, never in tests.
 *
 *   pnpm bench [-- --filter gumbel --backends wasm,cpu --runs 10 --warmup 3 --out file.json]
 * (--filter is a regular expression over the workload names: 'meta-step-128x10-unroll20(-composite)?$')
 */
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  activationStore,
  describeRun,
  kernelArithmetic,
  listBackends,
  useBackend,
  writeFileAtomic,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { quantile, timeRuns } from './time-runs.js';
import { ALL_WORKLOADS } from './workloads/all.js';

function parseOptions() {
  try {
    // pnpm 12 passes the `--` of `pnpm bench -- --filter x` through to the script.
    const args = process.argv.slice(2);
    return parseArgs({
      args: args[0] === '--' ? args.slice(1) : args,
      options: {
        filter: { type: 'string' },
        backends: { type: 'string' },
        runs: { type: 'string' },
        warmup: { type: 'string', default: '3' },
        out: { type: 'string' },
      },
    });
  } catch (error) {
    fail(`${(error as Error).message} (options: --filter, --backends, --runs, --warmup, --out)`);
  }
}

const { values } = parseOptions();

// A workload's own run count holds unless --runs names one.
const runs = Number(values.runs ?? 10);
const warmup = Number(values.warmup);
if (!Number.isInteger(runs) || runs < 1) fail(`invalid --runs: ${values.runs} (expected an integer >= 1)`);
if (!Number.isInteger(warmup) || warmup < 0)
  fail(`invalid --warmup: ${values.warmup} (expected an integer >= 0)`);

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

const available = (await listBackends()).filter((b) => b.available).map((b) => b.name);
const requested = values.backends ? values.backends.split(',') : available;
for (const name of requested) {
  if (!available.includes(name as never))
    fail(`invalid --backends: ${name} (available here: ${available.join(', ')})`);
}
// A filter is a regular expression over the names (plain words match as substrings).
let pattern: RegExp | undefined;
try {
  pattern = values.filter === undefined ? undefined : new RegExp(values.filter);
} catch {
  fail(`invalid --filter: ${values.filter} (not a regular expression)`);
}
const workloads = ALL_WORKLOADS.filter((w) => (pattern ? pattern.test(w.name) : !w.onDemand));
if (workloads.length === 0) fail(`invalid --filter: ${values.filter} (matches no workload)`);

interface Result {
  workload: string;
  backend: string;
  runs: number;
  medianMs: number;
  p10Ms: number;
  p90Ms: number;
  peakTensorBytes: number;
  /** Fused ops' activation snapshots, held outside tfjs's tensors (see the README). */
  peakSnapshotBytes: number;
  peakRssBytes: number;
  metrics: Record<string, number>;
}
const results: Result[] = [];
for (const backend of requested) {
  const { detail } = await useBackend(backend);
  console.log(`${backend}: ${detail}; WebAssembly kernels: ${kernelArithmetic()}`);
  for (const workload of workloads) {
    if (workload.backends && !workload.backends.includes(backend)) continue;
    const state = await workload.setup();
    const n = values.runs === undefined ? (workload.runs ?? runs) : runs;
    let peakTensorBytes = tf.memory().numBytes;
    activationStore.resetPeak();
    let peakRssBytes = process.memoryUsage().rss;
    const times = await timeRuns(workload, state, n, Math.max(warmup, workload.warmup ?? 0), () => {
      peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
      peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
    });
    // One extra, profiled run: tf.profile reports the peak of live tensor bytes inside the run.
    let peakKernelBytes = peakTensorBytes;
    if (!workload.onDemand) {
      const info = await tf.profile(async () => {
        await workload.run(state);
      });
      peakKernelBytes = info.peakBytes;
    }
    const medianMs = quantile(times, 0.5);
    const result: Result = {
      workload: workload.name,
      backend,
      runs: n,
      medianMs,
      p10Ms: quantile(times, 0.1),
      p90Ms: quantile(times, 0.9),
      peakTensorBytes: Math.max(peakTensorBytes, peakKernelBytes),
      peakSnapshotBytes: activationStore.peakBytes,
      peakRssBytes,
      metrics: workload.metrics?.(medianMs, state) ?? {},
    };
    workload.teardown(state);
    results.push(result);
    const extra = Object.entries(result.metrics)
      .map(([k, v]) => `${k}=${v.toPrecision(4)}`)
      .join(' ');
    console.log(
      `${workload.name.padEnd(44)} ${backend.padEnd(10)} median ${medianMs.toFixed(2).padStart(9)} ms ` +
        `(p10 ${result.p10Ms.toFixed(2)}, p90 ${result.p90Ms.toFixed(2)}, n=${n}) ${extra}`,
    );
  }
}

// Variants of one workload side by side: the ratios of one sitting. A reference variant (the old
// path) prints its time over the workload's, a speed-up; the others the workload's over theirs.
// `-half` is one of two workers' shares timed alone, so whole / half is what two workers could give
// at best: the work that does not shrink with the batch (per-op dispatch, the kernels' fixed costs)
// is repeated by each worker.
const VARIANT_RATIOS = [
  {
    suffix: '-composite',
    metric: 'speedupOverComposite',
    what: 'speed-up over the composite kernels',
    reference: true,
  },
  {
    suffix: '-tensors',
    metric: 'speedupOverTensorStep',
    what: "speed-up over stepping the policy's tensors",
    reference: true,
  },
  {
    suffix: '-2workers',
    metric: 'twoWorkerThroughputRatio',
    what: 'throughput of 2 workers over 1',
    reference: false,
  },
  {
    suffix: '-half',
    metric: 'twoWorkerCeiling',
    what: 'whole batch over half (the 2-worker ceiling)',
    reference: false,
  },
] as const;
for (const result of results) {
  for (const { suffix, metric, what, reference } of VARIANT_RATIOS) {
    const variant = results.find(
      (r) => r.backend === result.backend && r.workload === `${result.workload}${suffix}`,
    );
    if (!variant) continue;
    const ratio = reference ? variant.medianMs / result.medianMs : result.medianMs / variant.medianMs;
    result.metrics[metric] = ratio;
    console.log(`${result.workload} ${result.backend}: ${what} ${ratio.toFixed(2)}×`);
  }
}

const report = {
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: totalmem() / 2 ** 30 },
  run: describeRun(),
  warmup,
  results,
};
const out =
  values.out ?? join('bench', 'results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileAtomic(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nwrote ${out}`);
