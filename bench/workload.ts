/** Where gradient workers run: they are threads that split CPU work, one device per thread. */
export const WORKER_BACKENDS = ['wasm', 'cpu', 'tensorflow'];

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
  /** Long workloads run only when `--filter` names them. */
  onDemand?: boolean;
  setup(): S | Promise<S>;
  run(state: S): void | Promise<void>;
  teardown(state: S): void;
  metrics?(medianMs: number, state: S): Record<string, number>;
}
