import {
  answer,
  type ShardHandlers,
  type ShardRequest,
  type ShardSessions,
  useBackend,
} from '@metagrad/core';
import { META_SHARD_HANDLERS } from '@metagrad/optimizers';
import { RL_SHARD_HANDLERS } from '@metagrad/rl';
import * as tf from '@tensorflow/tfjs';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { queueConnection } from '../redis/redis-url.js';
import { type GradientJobData, type GradientQueue, handlersName } from './gradient-queue.js';
import { decodeShardValue, encodeShardValue } from './shard-codec.js';

/** The handlers modules a gradient worker serves, by the name trainers send. */
const KNOWN_HANDLERS = new Map(
  [META_SHARD_HANDLERS, RL_SHARD_HANDLERS].map((url) => [handlersName(url), url]),
);

interface HandlersModule {
  shardHandlers: ShardHandlers;
  shardSessions?: ShardSessions;
}

/**
 * A gradient worker process: takes shard requests from `gradientQueue`, one at a time, computes each
 * with the handlers its trainer named on the trainer's backend, and returns the result. A request
 * that belongs to a session (TRPO's step) whose start this process has not run replays that start
 * first, so any worker may take any request. `lockSeconds`: how long a job's lock lasts without
 * renewal, so how soon another worker takes up a shard of one that died.
 */
export function startGradientWorker(
  gradientQueue: GradientQueue,
  lockSeconds: number,
): Worker<GradientJobData> {
  const connection = queueConnection(gradientQueue.target);
  const reader = new Queue<GradientJobData>(gradientQueue.name, { connection });
  const modules = new Map<string, Promise<HandlersModule>>();
  let session: string | undefined;

  const handlersFor = (name: string) => {
    const url = KNOWN_HANDLERS.get(name);
    if (!url)
      throw new UnrecoverableError(
        `this gradient worker serves ${[...KNOWN_HANDLERS.keys()].join(', ')}, not ${name}`,
      );
    if (!modules.has(url)) modules.set(url, import(url) as Promise<HandlersModule>);
    return modules.get(url)!;
  };
  const compute = async (module: HandlersModule, data: GradientJobData) => {
    if (tf.getBackend() !== data.backend) await useBackend(data.backend);
    const request: ShardRequest = { id: 0, method: data.method, payload: decodeShardValue(data.payload) };
    const reply = await answer(module.shardHandlers, request);
    // A handler's error is the request's own: computing it again gives the same error.
    if (!reply.ok) throw new UnrecoverableError(`${reply.error.name}: ${reply.error.message}`);
    return reply.result;
  };

  const worker = new Worker<GradientJobData>(
    gradientQueue.name,
    async (job: Job<GradientJobData>) => {
      const module = await handlersFor(job.data.handlers);
      if (job.data.session && job.data.session !== session) {
        const start = await reader.getJob(job.data.session);
        if (!start)
          throw new UnrecoverableError(`the session start ${job.data.session} is no longer on the queue`);
        session = undefined;
        await compute(module, start.data);
        session = job.data.session;
      }
      const sessions = module.shardSessions ?? { starts: [], ends: [] };
      if (sessions.starts.includes(job.data.method)) session = undefined;
      const result = await compute(module, job.data);
      if (sessions.starts.includes(job.data.method)) session = job.id;
      if (sessions.ends.includes(job.data.method)) session = undefined;
      return encodeShardValue(result);
    },
    {
      connection,
      concurrency: 1,
      lockDuration: lockSeconds * 1000,
      stalledInterval: Math.max(1000, (lockSeconds * 1000) / 2),
      maxStalledCount: 10,
    },
  );
  worker.on('closed', () => void reader.close());
  return worker;
}
