import { ConfigError } from '@metagrad/core';
import type { Command } from 'commander';
import { parseRedisUrl, type RedisTarget } from './redis-url.js';

/** Declares `--redis <url>` on a command that talks to the sweep queue. */
export function addRedisOption(command: Command): Command {
  return command.option(
    '--redis <url>',
    'the Redis server, redis://[:password@]host:port[/db] (default: $METAGRAD_REDIS)',
  );
}

/** The `--redis` URL given, or `$METAGRAD_REDIS`, with its database number; a ConfigError if neither or a bad one. */
export function redisOption(value: string | undefined): RedisTarget {
  const url = value ?? process.env.METAGRAD_REDIS;
  if (!url) throw new ConfigError('redis', url, 'give --redis redis://host:port or set METAGRAD_REDIS');
  const target = parseRedisUrl('redis', url);
  if (target.path === '') return target;
  if (!/^\d{1,5}$/.test(target.path))
    throw new ConfigError('redis', target.redacted, `"/${target.path}" is not a database number`);
  return { ...target, options: { ...target.options, db: Number(target.path) } };
}
