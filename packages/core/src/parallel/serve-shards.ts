import { useBackend } from '../backend/backend.js';
import { answer, type ShardHandlers, type ShardReply, type ShardRequest } from './shard-protocol.js';

/** How a gradient worker receives requests and sends replies (a worker thread's port, a Web Worker's scope). */
export interface ShardPort {
  onRequest(listener: (request: ShardRequest) => void): void;
  reply(reply: ShardReply): void;
}

/**
 * The worker side of every local transport: loads `backend`, then answers each request with
 * `handlers`, one at a time and in the order they came (a shard's requests build on each other).
 */
export async function serveShards(handlers: ShardHandlers, backend: string, port: ShardPort): Promise<void> {
  let queue: Promise<unknown> = useBackend(backend);
  port.onRequest((request) => {
    queue = queue.then(async () => port.reply(await answer(handlers, request)));
  });
  await queue;
}
