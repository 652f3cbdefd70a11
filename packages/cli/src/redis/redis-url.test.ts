import { describe, expect, it } from 'vitest';
import { redisOption } from './redis-option.js';
import { parseRedisUrl, redactRedisUrl } from './redis-url.js';

describe('Redis URLs', () => {
  it('reads host, port, credentials and path, and never shows the password', () => {
    const target = parseRedisUrl('redis', 'redis://alice:s3cr%40t@10.0.0.5:6380/gradients');
    expect(target.options).toEqual({ host: '10.0.0.5', port: 6380, username: 'alice', password: 's3cr@t' });
    expect(target.path).toBe('gradients');
    expect(target.redacted).toBe('redis://alice:***@10.0.0.5:6380/gradients');
    expect(parseRedisUrl('redis', 'redis://:pw@localhost').redacted).toBe('redis://:***@localhost');
    expect(parseRedisUrl('redis', 'rediss://h').options).toEqual({ host: 'h', port: 6379, tls: {} });
    expect(redactRedisUrl('--redis')).toBe('--redis');
    expect(redactRedisUrl('redis://token@h:1')).toBe('redis://***@h:1');
  });

  it('refuses what is not a Redis URL, naming the field and showing no password', () => {
    expect(() => parseRedisUrl('redis', 'localhost:6379')).toThrow(
      /invalid redis: "localhost:6379" \(expected a redis/,
    );
    expect(() => parseRedisUrl('redis', 'http://:pw@h')).toThrow('invalid redis: "http://:***@h"');
    expect(() => parseRedisUrl('gradient-queue', 'not a url')).toThrow(
      /invalid gradient-queue: "not a url" \(is not a URL/,
    );
  });

  it('takes a database number in --redis, and refuses another path', () => {
    expect(redisOption('redis://h:1/3').options).toEqual({ host: 'h', port: 1, db: 3 });
    expect(() => redisOption('redis://:pw@h:1/queue')).toThrow(
      'invalid redis: "redis://:***@h:1/queue" ("/queue" is not a database number)',
    );
  });
});
