import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { CallerThreadTransport } from './caller-thread-transport.js';
import { ShardError } from './shard-protocol.js';
import { siblingModule } from './sibling-module.js';
import { WorkerPool } from './worker-pool.js';

const PROBE = siblingModule('../testing/probe-shard-handlers', import.meta.url);

describe('the calling thread as a pool’s first worker', () => {
  const toClose: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(toClose.splice(0).map((t) => t.close()));
  });
  const transport = () => {
    const t = new CallerThreadTransport(PROBE);
    toClose.push(t);
    return t;
  };

  it('a pool of 2 computes shard 0 on this thread while shard 1 computes on a worker thread', async () => {
    const pool = new WorkerPool(2, PROBE);
    toClose.push({ close: () => pool.dispose() });
    const [first, second] = await pool.call<{ threadId: number }>('where', [null, null]);
    expect(first!.threadId).toBe(threadId);
    expect(second!.threadId).not.toBe(threadId);
    // This thread's shard blocks until the worker's shard runs: had this thread computed before
    // sending the worker its request, it would wait in vain and time out.
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const met = await pool.call<string>('meet', [
      { flag, waits: true, timeoutMs: 60_000 },
      { flag, waits: false, timeoutMs: 0 },
    ]);
    expect(met).toEqual(['met', 'signalled']);
  });

  it('copies requests and results as a message would: a handler changes its own copy only', async () => {
    const values = new Float64Array([1, -2, 3]);
    const result = await transport().call<Float64Array>('negate', { values });
    expect(Array.from(result)).toEqual([-1, 2, -3]);
    expect(Array.from(values)).toEqual([1, -2, 3]);
  });

  it('rethrows a handler’s error as a worker’s: its name and message', async () => {
    const failing = transport().call('fail', { message: 'no such run' });
    await expect(failing).rejects.toBeInstanceOf(ShardError);
    await expect(failing).rejects.toMatchObject({ name: 'TypeError', message: 'no such run' });
  });

  it('frees the handlers’ state when the last transport of their module on this thread closes', async () => {
    const first = transport();
    const second = transport();
    expect(await first.call('where', null)).toEqual({ threadId, served: 1 });
    expect(await second.call('where', null)).toEqual({ threadId, served: 2 });
    await first.close();
    expect(await second.call('where', null)).toEqual({ threadId, served: 3 });
    await second.close();
    expect(await transport().call('where', null)).toEqual({ threadId, served: 1 });
  });
});
