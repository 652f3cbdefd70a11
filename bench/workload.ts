/** Where gradient workers run: they are threads that split CPU work, one device per thread. */
const WORKER_BACKENDS = ['wasm', 'cpu', 'tensorflow'];

/**
 * Untimed runs before a workload with gradient workers is timed: each worker thread is a fresh
 * isolate that compiles its code in its first runs (on the 2-core machine, 3 warm-up runs timed 2
 * workers at 0.74× of 1 on the meta-step, 10 at 1.12×, while the compilers still ran beside them).
 */
const WORKER_WARMUP = 15;

/** What a workload with `workers` gradient workers sets: the backends they run on and its warm-up. */
export function withWorkers(workers: number): Pick<Workload, 'backends' | 'warmup'> {
  return workers > 1 ? { backends: WORKER_BACKENDS, warmup: WORKER_WARMUP } : {};
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
