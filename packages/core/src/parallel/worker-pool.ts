import * as tf from '@tensorflow/tfjs';
import type { ShardTransport } from './shard-protocol.js';
import { remoteShardTransports, shardTransport } from './shard-transports.js';

/**
 * N gradient workers serving the handlers of one module, started on first use on the active
 * backend: what every trainer's parallel runner shares. Under Node, worker 0 is the calling thread
 * and the others are threads of their own, so N workers compute on N threads.
 */
export class WorkerPool {
  readonly size: number;
  private readonly handlersModule: string;
  private transports: ShardTransport[] | undefined;
  private remote: boolean | undefined;

  /** `handlersModule`: the URL of a module exporting `shardHandlers`. */
  constructor(size: number, handlersModule: string) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`workers must be an integer >= 1, got ${size}`);
    this.size = size;
    this.handlersModule = handlersModule;
  }

  /**
   * The threads that compute on the active backend: all of them on a CPU backend; on webgpu none
   * besides the caller's, since the GPU computes each batch whole and a thread would need a device
   * of its own.
   */
  get active(): number {
    return tf.getBackend() === 'webgpu' ? 1 : this.size;
  }

  /**
   * Whether worker s is one thread of this process for the pool's life, so that what a handler keeps
   * between requests is there for the next request to s. Not so on a remote queue, where any of its
   * processes may take a request.
   */
  get keepsWorkerState(): boolean {
    return !(this.remote ?? remoteShardTransports() !== undefined);
  }

  /** Sends `requests[s]` to worker s as `method` and resolves with the results in the same order. */
  call<T>(method: string, requests: unknown[]): Promise<T[]> {
    if (!this.transports) {
      this.remote = remoteShardTransports() !== undefined;
      this.transports = Array.from({ length: this.size }, (_, index) =>
        shardTransport(this.handlersModule, tf.getBackend(), index),
      );
    }
    return Promise.all(requests.map((request, s) => this.transports![s]!.call<T>(method, request)));
  }

  /** Stops the workers (a later call starts new ones). */
  async dispose(): Promise<void> {
    await Promise.all((this.transports ?? []).map((t) => t.close()));
    this.transports = undefined;
    this.remote = undefined;
  }
}
