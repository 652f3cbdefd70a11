import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why the Redis tests cannot run here, or undefined where `redis-server` is installed. */
export function redisUnavailable(): string | undefined {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return found.status === 0
    ? undefined
    : 'redis-server is not installed (Debian: apt-get install redis-server; CI installs it as root)';
}

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * A real `redis-server` of a test's own, on a free loopback port, with its data (an append-only
 * file, so a restart keeps every job) in a temporary directory. Test utility.
 */
export class TestRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'metagrad-redis-'));
  private constructor(
    readonly port: number,
    private readonly password: string | undefined,
  ) {}

  /** Starts a server; with `password`, clients must give it. */
  static async start(password?: string): Promise<TestRedis> {
    const redis = new TestRedis(await freePort(), password);
    redis.launch();
    return redis;
  }

  /** `redis://[:password@]127.0.0.1:port`. */
  get url(): string {
    return `redis://${this.password ? `:${this.password}@` : ''}127.0.0.1:${this.port}`;
  }

  private get pidFile(): string {
    return join(this.dir, 'redis.pid');
  }

  private launch(): void {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', ''];
    args.push('--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'yes');
    args.push('--pidfile', this.pidFile, '--logfile', join(this.dir, 'redis.log'));
    if (this.password) args.push('--requirepass', this.password);
    execFileSync('redis-server', args);
    this.waitUntil(() => this.ping(), 'start');
  }

  private ping(): boolean {
    const auth = this.password ? ['-a', this.password, '--no-auth-warning'] : [];
    const reply = spawnSync('redis-cli', ['-p', String(this.port), ...auth, 'ping'], { encoding: 'utf8' });
    return reply.stdout.trim() === 'PONG';
  }

  private waitUntil(ready: () => boolean, what: string): void {
    const deadline = Date.now() + 10_000;
    while (!ready()) {
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not ${what}`);
      spawnSync('sleep', ['0.05']);
    }
  }

  /** Stops the server as an operator would (SIGTERM: its append-only file is complete). */
  stop(): void {
    if (!existsSync(this.pidFile)) return;
    const pid = Number(readFileSync(this.pidFile, 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    this.waitUntil(() => !alive(pid), 'stop');
  }

  /** Stops the server and starts it again on the same port and data. */
  restart(): void {
    this.stop();
    this.launch();
  }

  /** Stops the server and removes its data. */
  dispose(): void {
    this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
