// A gradient worker: its own tfjs backend, the handlers its trainer named, one request at a time.
import { parentPort, workerData } from 'node:worker_threads';
import { useBackend } from '../backend/backend.js';
import { answer, type ShardHandlers, type ShardRequest } from './shard-protocol.js';

const { handlersModule, backend } = workerData as { handlersModule: string; backend: string };
await useBackend(backend);
const { shardHandlers } = (await import(handlersModule)) as { shardHandlers: ShardHandlers };
let queue = Promise.resolve();
parentPort!.on('message', (request: ShardRequest) => {
  queue = queue.then(async () => parentPort!.postMessage(await answer(shardHandlers, request)));
});
