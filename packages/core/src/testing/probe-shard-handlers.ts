// Shard handlers that report where and how they ran, for the tests of the transports.
import { threadId } from 'node:worker_threads';

let served = 0;

export const shardHandlers = {
  /** Which thread answered, and how many requests this thread's handlers served since their state was last freed. */
  where: () => ({ threadId, served: ++served }),
  /** Changes the array it was given, and returns it. */
  negate: (request: { values: Float64Array }) => {
    request.values.forEach((v, i) => {
      request.values[i] = -v;
    });
    return request.values;
  },
  /** Raises a TypeError. */
  fail: (request: { message: string }) => {
    throw new TypeError(request.message);
  },
  /**
   * One side of a meeting of two threads: the waiting side blocks until `flag[0]` is 1 or
   * `timeoutMs` pass; the other sets it and wakes the waiting side.
   */
  meet: (request: { flag: Int32Array; waits: boolean; timeoutMs: number }) => {
    if (request.waits)
      return Atomics.wait(request.flag, 0, 0, request.timeoutMs) === 'timed-out' ? 'timed out' : 'met';
    Atomics.store(request.flag, 0, 1);
    Atomics.notify(request.flag, 0);
    return 'signalled';
  },
};

/** Frees this thread's state: the count of requests served starts again. */
export function releaseShardState(): void {
  served = 0;
}
