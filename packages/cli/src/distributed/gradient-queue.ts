import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import {
  ShardError,
  type ShardSessions,
  type ShardTransport,
  useRemoteShardTransports,
} from '@metagrad/core';
import { Queue, QueueEvents } from 'bullmq';
import { checkRedis, parseRedisUrl, queueConnection, type RedisTarget } from '../redis/redis-url.js';
import { decodeShardValue, encodeShardValue } from './shard-codec.js';

/** The queue a `--gradient-queue` URL without a path names. */
export const DEFAULT_GRADIENT_QUEUE = 'metagrad-gradients';

/** A gradient queue: the Redis server, the queue's name, and how it is shown (password redacted). */
export interface GradientQueue {
  target: RedisTarget;
  name: string;
  /** `redis://host:port/name`, password redacted. */
  description: string;
}

/** What one gradient job carries: a shard request, where its handlers live, and its session's start. */
export interface GradientJobData {
  /** The handlers module's name (`meta-shard-handlers`): every worker resolves it in its own installation. */
  handlers: string;
  /** The tfjs backend the trainer computes on: the worker computes on the same one. */
  backend: string;
  method: string;
  payload: unknown;
  /** The job id of the session start this request needs on its worker (see ShardSessions). */
  session?: string;
}

/** Parses `redis://[:password@]host:port[/queue]`; a bad URL is a ConfigError naming `field`. */
export function parseGradientQueue(field: string, url: string): GradientQueue {
  const target = parseRedisUrl(field, url);
  const name = target.path || DEFAULT_GRADIENT_QUEUE;
  const description = target.path ? target.redacted : `${target.redacted.replace(/\/$/, '')}/${name}`;
  return { target, name, description };
}

/** The name by which a gradient worker finds a handlers module: its file name without the extension. */
export function handlersName(handlersModule: string): string {
  return basename(new URL(handlersModule).pathname).replace(/\.(ts|js|mjs)$/, '');
}

/** This process's connection to a gradient queue, shared by its transports and closed with the last. */
class QueueLink {
  readonly queue: Queue<GradientJobData>;
  readonly events: QueueEvents;
  /** Distinguishes this trainer's jobs from any other's on the queue. */
  readonly key = randomUUID().slice(0, 8);
  private calls = 0;
  users = 0;

  constructor(readonly gradientQueue: GradientQueue) {
    const connection = queueConnection(gradientQueue.target);
    this.queue = new Queue(gradientQueue.name, { connection });
    this.events = new QueueEvents(gradientQueue.name, { connection });
  }

  /** A job id unique on the queue: this trainer's key and a call counter, with the shard's index. */
  nextId(index: number): string {
    return `${this.key}.${this.calls++}.${index}`;
  }

  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.events.close()]);
  }
}

/**
 * Sends this process's gradient worker pools to `gradientQueue` from now on: each request becomes a
 * BullMQ job that any `metagrad gradient-worker` on the queue may take; the pool still combines the
 * results in shard order, so with the same number of shards a step gives the same bits as on worker
 * threads. A job whose worker dies is taken up by another once its lock expires (at-least-once; the
 * job's id makes a second delivery of the same shard return the same result once). A request no
 * worker finishes within `timeoutSeconds` fails, naming the queue.
 */
export function useGradientQueue(gradientQueue: GradientQueue, timeoutSeconds: number): void {
  let link: QueueLink | undefined;
  const sessions = new Map<string, Promise<ShardSessions>>();
  useRemoteShardTransports({
    description: gradientQueue.description,
    create: (handlersModule, backend, index) => {
      link ??= new QueueLink(gradientQueue);
      const shared = link;
      shared.users++;
      if (!sessions.has(handlersModule)) sessions.set(handlersModule, sessionsOf(handlersModule));
      return new QueueShardTransport(shared, {
        handlers: handlersName(handlersModule),
        backend,
        index,
        sessions: sessions.get(handlersModule)!,
        timeoutMs: timeoutSeconds * 1000,
        release: async () => {
          if (--shared.users > 0) return;
          if (link === shared) link = undefined;
          await shared.close();
        },
      });
    },
  });
}

/** Checks that the queue's Redis answers (exit 2 naming the flag otherwise). */
export function checkGradientQueue(field: string, gradientQueue: GradientQueue): Promise<void> {
  return checkRedis(field, gradientQueue.target);
}

async function sessionsOf(handlersModule: string): Promise<ShardSessions> {
  const module = (await import(handlersModule)) as { shardSessions?: ShardSessions };
  return module.shardSessions ?? { starts: [], ends: [] };
}

interface TransportOptions {
  handlers: string;
  backend: string;
  index: number;
  sessions: Promise<ShardSessions>;
  timeoutMs: number;
  release: () => Promise<void>;
}

/** One shard slot of a pool, reached through the queue. */
class QueueShardTransport implements ShardTransport {
  private session: string | undefined;

  constructor(
    private readonly link: QueueLink,
    private readonly options: TransportOptions,
  ) {}

  async call<T>(method: string, payload: unknown): Promise<T> {
    const { handlers, backend, index, timeoutMs } = this.options;
    const sessions = await this.options.sessions;
    const id = this.link.nextId(index);
    const starts = sessions.starts.includes(method);
    const data: GradientJobData = {
      handlers,
      backend,
      method,
      payload: encodeShardValue(payload),
      ...(this.session && !starts && { session: this.session }),
    };
    if (starts) this.session = id;
    if (sessions.ends.includes(method)) this.session = undefined;
    // Results are read from the completion event; the job is kept a while so that a late reader
    // (and a session's replays, for a start) still finds it, then removed so Redis does not fill up.
    const job = await this.link.queue.add(method, data, {
      jobId: id,
      attempts: 1,
      removeOnComplete: { age: starts ? 900 : 120 },
      removeOnFail: { age: 3600 },
    });
    try {
      return decodeShardValue(await job.waitUntilFinished(this.link.events, timeoutMs)) as T;
    } catch (error) {
      const message = (error as Error).message;
      if (/timed out before finishing/.test(message)) {
        // Nobody should compute it later for a step that has failed.
        await job.remove().catch(() => {});
        throw new Error(
          `no gradient worker finished ${method} (shard ${index}) on ${this.link.gradientQueue.description} within ${timeoutMs / 1000} s; start workers with: metagrad gradient-worker --gradient-queue ${this.link.gradientQueue.description}`,
        );
      }
      const [name, ...rest] = message.split(': ');
      throw rest.length > 0 && /Error$/.test(name!)
        ? new ShardError(name!, rest.join(': '))
        : new ShardError('Error', message);
    }
  }

  close(): Promise<void> {
    return this.options.release();
  }
}
