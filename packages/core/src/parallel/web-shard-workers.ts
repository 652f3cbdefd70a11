import { serveShards } from './serve-shards.js';
import {
  ShardError,
  type ShardHandlers,
  type ShardReply,
  type ShardRequest,
  type ShardTransport,
} from './shard-protocol.js';

/** What metagrad uses of a Web Worker (the DOM's `Worker`), so that core needs no DOM types. */
export interface WebShardWorker {
  postMessage(message: unknown): void;
  terminate(): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
}

/** Starts a Web Worker that serves one handlers module (its script calls {@link serveShardsInWebWorker}). */
export type WebShardWorkerFactory = () => WebShardWorker;

const factories = new Map<string, WebShardWorkerFactory>();

/**
 * Lets gradient worker pools run in Web Workers: `workers` maps a handlers module (the
 * `META_SHARD_HANDLERS` and `RL_SHARD_HANDLERS` of the trainers) to a function starting a Web Worker
 * whose script serves it. A bundler builds each worker script, which is why the page names them:
 * `new Worker(new URL('./meta-shard-worker.ts', import.meta.url), { type: 'module' })`.
 */
export function useWebShardWorkers(workers: Record<string, WebShardWorkerFactory>): void {
  for (const [handlersModule, factory] of Object.entries(workers)) factories.set(handlersModule, factory);
}

/** Whether a page has registered Web Workers for gradient shards. */
export function webShardWorkersRegistered(): boolean {
  return factories.size > 0;
}

/** A {@link ShardTransport} to a Web Worker serving `handlersModule` on its own tfjs `backend`. */
export class WebWorkerTransport implements ShardTransport {
  private readonly worker: WebShardWorker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(handlersModule: string, backend: string) {
    const factory = factories.get(handlersModule);
    if (!factory)
      throw new Error(
        `workers: no Web Worker serves ${handlersModule}; register one with useWebShardWorkers, or set workers to 1`,
      );
    this.worker = factory();
    this.worker.addEventListener('message', ({ data }) => {
      const reply = data as ShardReply;
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new ShardError(reply.error.name, reply.error.message));
    });
    this.worker.addEventListener('error', (event) => {
      for (const { reject } of this.pending.values())
        reject(new Error(`gradient worker failed: ${event.message ?? 'its script did not load'}`));
      this.pending.clear();
    });
    this.worker.postMessage({ backend });
  }

  call<T>(method: string, payload: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, method, payload } satisfies ShardRequest);
    });
  }

  async close(): Promise<void> {
    this.worker.terminate();
  }
}

interface WorkerScope {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
}

/**
 * The script of a gradient Web Worker: its first message names the backend, every later one is a
 * request answered with `handlers`.
 *
 * @example
 * ```ts
 * // meta-shard-worker.ts
 * import { serveShardsInWebWorker } from '@metagrad/core';
 * import { shardHandlers } from '@metagrad/optimizers/shard-handlers';
 * serveShardsInWebWorker(shardHandlers);
 * ```
 */
export function serveShardsInWebWorker(handlers: ShardHandlers): void {
  const scope = globalThis as unknown as WorkerScope;
  let deliver: ((request: ShardRequest) => void) | undefined;
  scope.onmessage = ({ data }) => {
    if (deliver) return deliver(data as ShardRequest);
    const { backend } = data as { backend: string };
    // serveShards subscribes at once, so every later message reaches it.
    void serveShards(handlers, backend, {
      onRequest: (listener) => {
        deliver = listener;
      },
      reply: (reply) => scope.postMessage(reply),
    });
  };
}
