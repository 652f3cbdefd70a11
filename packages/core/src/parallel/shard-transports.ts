import { platform } from '#platform';
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

/** The transport to a pool's worker `index`: a remote one where they are in use, else one on this machine (a worker thread under Node). */
export function shardTransport(handlersModule: string, backend: string, index: number): ShardTransport {
  return remote
    ? remote.create(handlersModule, backend, index)
    : platform.localShardTransport(handlersModule, backend);
}
