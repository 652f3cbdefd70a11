import { Worker } from 'node:worker_threads';
import { ShardError, type ShardReply, type ShardTransport } from './shard-protocol.js';

/**
 * A {@link ShardTransport} to a worker thread that loads `handlersModule` (a module exporting
 * `shardHandlers`) on its own tfjs `backend`.
 */
export class WorkerThreadTransport implements ShardTransport {
  private readonly worker: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(handlersModule: string, backend: string) {
    // From source, a small .mjs entry registers tsx first: worker threads do not inherit its loader.
    const entry = import.meta.url.endsWith('.ts') ? './shard-worker-entry.mjs' : './shard-worker.js';
    this.worker = new Worker(new URL(entry, import.meta.url), {
      workerData: { handlersModule, backend },
    });
    // Idle workers must not keep the process alive.
    this.worker.unref();
    this.worker.on('message', (reply: ShardReply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new ShardError(reply.error.name, reply.error.message));
    });
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => this.failAll(new Error(`gradient worker exited with code ${code}`)));
  }

  call<T>(method: string, payload: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.ref();
      this.worker.postMessage({ id, method, payload });
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
