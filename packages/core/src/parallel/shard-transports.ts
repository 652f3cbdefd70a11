import { platform } from '#platform';
import { CallerThreadTransport } from './caller-thread-transport.js';
import type { ShardTransport } from './shard-protocol.js';

/** Makes the transport to gradient worker `index` of a pool serving `handlersModule` on `backend`. */
export type ShardTransportFactory = (
  handlersModule: string,
  backend: string,
  index: number,
) => ShardTransport;

/**
 * Where gradient workers live when they are not this process's threads: a queue that worker
 * processes on other machines serve. Its workers are not bound to this machine's cores.
 */
export interface RemoteShardTransports {
  /** Names the workers' location in messages, with any password redacted. */
  description: string;
  create: ShardTransportFactory;
}

let remote: RemoteShardTransports | undefined;

/**
 * Sends every gradient worker pool started from now on to `transports` (undefined: back to worker
 * threads). The trainers need not know: their pools split and combine shards the same way.
 */
export function useRemoteShardTransports(transports: RemoteShardTransports | undefined): void {
  remote = transports;
}

/** The remote gradient workers in use, if any. */
export function remoteShardTransports(): RemoteShardTransports | undefined {
  return remote;
}

/**
 * The transport to a pool's worker `index`: a remote one where they are in use; else, on this
 * machine, the calling thread for worker 0 where the platform computes there (Node) and a worker
 * thread (a Web Worker in a browser) for the others.
 */
export function shardTransport(handlersModule: string, backend: string, index: number): ShardTransport {
  if (remote) return remote.create(handlersModule, backend, index);
  if (index === 0 && platform.callerComputesShard) return new CallerThreadTransport(handlersModule);
  return platform.localShardTransport(handlersModule, backend);
}
