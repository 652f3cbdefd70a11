import { ConfigError } from '@metagrad/core';
import { Redis } from 'ioredis';

/** Where and how to connect: what both ioredis and BullMQ take. */
export interface RedisServerOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** The database number (`/2`). */
  db?: number;
  /** Set for `rediss:` (TLS with the system's certificates). */
  tls?: Record<string, never>;
}

/** A Redis server named by a URL: how to connect, and how to name it without its password. */
export interface RedisTarget {
  options: RedisServerOptions;
  /** The URL with any password replaced by `***`: what messages, logs and run directories show. */
  redacted: string;
  /** The URL's path after the slash (a database number, or a queue's name), if any. */
  path: string;
}

/**
 * Parses `redis://[user:password@]host[:port][/path]` (or `rediss:` for TLS). A value that is not
 * such a URL is a ConfigError naming `field`, shown redacted. `path` is returned as written: a
 * command decides whether it names a database or a queue.
 */
export function parseRedisUrl(field: string, value: string): RedisTarget {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      field,
      redactRedisUrl(value),
      'is not a URL; expected redis://[:password@]host:port',
    );
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError(field, redactRedisUrl(value), 'expected a redis:// or rediss:// URL');
  }
  if (!url.hostname) throw new ConfigError(field, redactRedisUrl(value), 'names no host');
  const port = url.port === '' ? 6379 : Number(url.port);
  const options: RedisServerOptions = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    ...(url.username && { username: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
    ...(url.protocol === 'rediss:' && { tls: {} }),
  };
  return {
    options,
    redacted: redactRedisUrl(value),
    path: decodeURIComponent(url.pathname.replace(/^\//, '')),
  };
}

/** `value` with the password of its URL, if any, replaced by `***`. */
export function redactRedisUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i, (_, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return `${scheme}${colon < 0 ? '***' : `${auth.slice(0, colon)}:***`}@`;
  });
}

/**
 * Connects once and pings, so that a command fails at once with a one-line ConfigError naming
 * `field` (exit 2) where the server cannot be reached, asks for a password it was not given, or
 * refuses the one it was; rather than retrying forever as a queue's connection does.
 */
export async function checkRedis(field: string, target: RedisTarget): Promise<void> {
  const client = new Redis({
    ...target.options,
    lazyConnect: true,
    connectTimeout: 5_000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // The socket's own error (ECONNREFUSED, ENOTFOUND) arrives as an event; connect() then rejects
  // with only "Connection is closed".
  let socketError: Error | undefined;
  client.on('error', (error: Error) => {
    socketError ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const e = (socketError ?? error) as NodeJS.ErrnoException;
    const message = e.message ?? String(error);
    const why = /WRONGPASS|invalid password|invalid username-password/i.test(message)
      ? 'refused the password (WRONGPASS)'
      : /NOAUTH/i.test(message)
        ? 'asks for a password (NOAUTH); put it in the URL: redis://:PASSWORD@host:port'
        : `cannot be reached (${e.code ?? message.split('\n')[0]})`;
    throw new ConfigError(field, target.redacted, why);
  } finally {
    client.disconnect();
  }
}

/** Connection options for BullMQ's queues and workers: retry forever, as BullMQ requires of a worker. */
export function queueConnection(target: RedisTarget): RedisServerOptions & { maxRetriesPerRequest: null } {
  return { ...target.options, maxRetriesPerRequest: null };
}
