/** Where gradient workers run: they are threads that split CPU work, one device per thread. */
const WORKER_BACKENDS = ['wasm', 'cpu', 'tensorflow'];

/**
 * Untimed runs before a workload with gradient workers: each worker thread is a fresh isolate that
 * compiles its code in its first runs (on the 2-core machine, 3 warm-up runs timed 2 workers at
 * 0.74× of 1 on the meta-step, 10 at 1.12×, while the compilers still ran beside them).
 */
const WORKER_WARMUP = 15;

/**
 * Untimed runs before the short steps whose worker counts are compared (the meta-step, the PPO and
 * TRPO steps): V8 goes on optimizing such a step's JavaScript for hundreds of runs, on one thread
 * and on each worker, so a short warm-up times the compilers rather than the steps of a training
 * run. On the 2-core machine the meta-step's median was 42.8 ms in runs 3–13 on one thread, 38.4 ms
 * in runs 50–100, 36.6 ms in runs 100–200 and 35.4 ms in runs 600–800; on two workers 47.7, 30.1,
 * 25.6 and 23.0 ms.
 */
export const STEADY_STATE_WARMUP = 300;

/**
 * What a workload with `workers` gradient workers sets: the backends they run on and its warm-up
 * (`warmup` where given, for every variant of a compared step alike).
 */
export function withWorkers(workers: number, warmup?: number): Pick<Workload, 'backends' | 'warmup'> {
  return {
    ...(workers > 1 ? { backends: WORKER_BACKENDS } : {}),
    ...(warmup !== undefined ? { warmup } : workers > 1 ? { warmup: WORKER_WARMUP } : {}),
  };
}

/**
 * A named benchmark workload. `setup` builds state on the active backend, `run` is the timed
 * body (it must leave no tensors behind), `teardown` frees the state. `metrics` may add
 * derived numbers (throughput, peak memory) computed from the median run time.
 */
export interface Workload<S = unknown> {
  name: string;
  description: string;
  /** Backends this workload is meaningful on; default: all available. */
  backends?: string[];
  /** Timed runs (default from the harness). */
  runs?: number;
  /** Untimed runs first, at least (the harness's `--warmup` when larger). */
  warmup?: number;
  /** Long workloads run only when `--filter` names them. */
  onDemand?: boolean;
  setup(): S | Promise<S>;
  run(state: S): void | Promise<void>;
  teardown(state: S): void;
  metrics?(medianMs: number, state: S): Record<string, number>;
}
