import { answer, ShardError, type ShardHandlers, type ShardTransport } from './shard-protocol.js';

/** What a handlers module exports: its handlers, and optionally how to free what they keep between requests. */
interface HandlersModule {
  shardHandlers: ShardHandlers;
  /** Frees the caches the handlers keep between requests (they rebuild them on the next request). */
  releaseShardState?: () => void;
}

/** Open caller-thread transports per handlers module: its state is freed when the last one closes. */
const openTransports = new Map<string, number>();

/**
 * A pool's first shard computed on the calling thread while worker threads compute the others, so
 * that N workers are N computing threads: a caller that only waited would add a thread hop to each
 * request, and its garbage collections would take turns on the cores the workers compute on.
 * Requests and results are copied as a worker thread's messages are, so a handler sees the same
 * data either way. Handler modules are loaded once per thread, so pools on this thread share their
 * handlers' caches (keyed by what they hold) and sessions (keyed by their owner).
 */
export class CallerThreadTransport implements ShardTransport {
  private readonly handlersModule: string;
  private readonly module: Promise<HandlersModule>;
  private closed = false;

  constructor(handlersModule: string) {
    this.handlersModule = handlersModule;
    this.module = import(handlersModule) as Promise<HandlersModule>;
    // A module that fails to load fails each call; nothing else need watch the promise.
    this.module.catch(() => undefined);
    openTransports.set(handlersModule, (openTransports.get(handlersModule) ?? 0) + 1);
  }

  async call<T>(method: string, payload: unknown): Promise<T> {
    // Awaiting the module also lets the pool post the other shards' requests before this one runs.
    const { shardHandlers } = await this.module;
    const reply = await answer(shardHandlers, { id: 0, method, payload: structuredClone(payload) });
    if (!reply.ok) throw new ShardError(reply.error.name, reply.error.message);
    return structuredClone(reply.result) as T;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const open = openTransports.get(this.handlersModule)! - 1;
    if (open > 0) {
      openTransports.set(this.handlersModule, open);
      return;
    }
    openTransports.delete(this.handlersModule);
    const loaded = await this.module.catch(() => undefined);
    loaded?.releaseShardState?.();
  }
}
