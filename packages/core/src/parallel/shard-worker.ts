// A gradient worker thread: its own tfjs backend, the handlers its trainer named, one request at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { serveShards } from './serve-shards.js';
import type { ShardHandlers, ShardReply, ShardRequest } from './shard-protocol.js';

const { handlersModule, backend } = workerData as { handlersModule: string; backend: string };
const { shardHandlers } = (await import(handlersModule)) as { shardHandlers: ShardHandlers };
await serveShards(shardHandlers, backend, {
  onRequest: (listener) => parentPort!.on('message', (request: ShardRequest) => listener(request)),
  reply: (reply: ShardReply) => parentPort!.postMessage(reply),
});
