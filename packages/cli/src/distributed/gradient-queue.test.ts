import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readJsonl } from '@metagrad/core';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueConnection } from '../redis/redis-url.js';
import { refusal } from '../testing/in-process.js';
import { redisUnavailable, TestRedis } from '../testing/redis-server.js';
import { MAIN, metagrad, NODE, TS_LOADER } from '../testing/run-metagrad.js';
import { runOutputs } from '../testing/run-outputs.js';
import { stopProcess, waitFor } from '../testing/sweep-processes.js';
import { type GradientJobData, parseGradientQueue } from './gradient-queue.js';
import { startGradientWorker } from './gradient-worker.js';

const unavailable = redisUnavailable();

const L2L =
  'l2l train --epochs 6 --steps 10 --unroll 5 --instances 16 --eval-instances 16 --eval-every 3 --no-compare --seed 5 --json'.split(
    ' ',
  );
const TRPO =
  'rl2 train --episodes 2 --hidden 8 --batch 16 --iterations 4 --eval-every 2 --algorithm trpo --seed 5 --json'.split(
    ' ',
  );
const ES =
  'l2l train --estimator es --particles 8 --epochs 3 --steps 10 --unroll 5 --instances 16 --eval-instances 16 --eval-every 3 --no-compare --seed 5 --json'.split(
    ' ',
  );
// Over the queue PES ships its particles' runs each truncation; on threads the workers keep them.
const PES =
  'l2l train --estimator pes --particles 4 --epochs 2 --steps 15 --unroll 5 --instances 16 --eval-instances 16 --eval-every 2 --no-compare --seed 5 --json'.split(
    ' ',
  );

function gradientWorker(queue: string, ...extra: string[]): ChildProcess {
  return spawn(NODE, [...TS_LOADER, MAIN, 'gradient-worker', '--gradient-queue', queue, ...extra], {
    stdio: 'ignore',
  });
}

describe.skipIf(unavailable)(
  `gradient workers over a real Redis${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await TestRedis.start();
    });
    afterAll(() => redis?.dispose());

    it('gives the same bits as two worker threads: a meta-step, ES and PES particles, and TRPO steps (with sessions)', {
      timeout: 240_000,
    }, async () => {
      const queue = `${redis.url}/same-bits`;
      const workers = [gradientWorker(queue), gradientWorker(queue)];
      try {
        for (const [kind, args] of [
          ['l2l', L2L],
          ['l2l', ES],
          ['l2l', PES],
          ['rl2', TRPO],
        ] as const) {
          const root = mkdtempSync(join(tmpdir(), 'gradient-queue-'));
          const remote = metagrad(
            ...args,
            '--workers',
            '2',
            '--gradient-queue',
            queue,
            '--run-dir',
            join(root, 'remote'),
          );
          expect(remote.code, remote.stderr).toBe(0);
          expect(remote.stderr).toContain(`each step's 2 shards go to the gradient workers on ${queue}`);
          expect(metagrad(...args, '--workers', '2', '--run-dir', join(root, 'threads')).code).toBe(0);
          expect(runOutputs(kind, join(root, 'remote'))).toEqual(runOutputs(kind, join(root, 'threads')));
        }
      } finally {
        await Promise.all(workers.map((w) => stopProcess(w)));
      }
    });

    it('a gradient worker killed with SIGKILL mid-step: another takes up its shard, and the result is the same', {
      timeout: 240_000,
    }, async () => {
      const queue = `${redis.url}/killed`;
      const root = mkdtempSync(join(tmpdir(), 'gradient-kill-'));
      const args = [...L2L.map((a) => (a === '6' ? '12' : a)), '--workers', '2'];
      const doomed = gradientWorker(queue, '--lock-seconds', '2');
      const survivor = gradientWorker(queue, '--lock-seconds', '2');
      try {
        const run = spawn(
          NODE,
          [...TS_LOADER, MAIN, ...args, '--gradient-queue', queue, '--run-dir', join(root, 'remote')],
          {
            stdio: 'ignore',
          },
        );
        const exited = new Promise<number | null>((resolve) => run.on('exit', resolve));
        await waitFor('ten meta-steps', 120, () => {
          try {
            const steps = readJsonl<{ type: string }>(join(root, 'remote', 'metrics.jsonl')).records;
            return steps.filter((e) => e.type === 'progress').length >= 10 ? true : undefined;
          } catch {
            return undefined;
          }
        });
        await stopProcess(doomed, 'SIGKILL');
        expect(await exited).toBe(0);
        expect(metagrad(...args, '--run-dir', join(root, 'threads')).code).toBe(0);
        expect(runOutputs('l2l', join(root, 'remote'))).toEqual(runOutputs('l2l', join(root, 'threads')));
      } finally {
        await Promise.all([stopProcess(doomed, 'SIGKILL'), stopProcess(survivor)]);
      }
    });

    it('a shard delivered twice is computed once: its (call, shard) id is taken', {
      timeout: 60_000,
    }, async () => {
      const gradientQueue = parseGradientQueue('gradient-queue', `${redis.url}/duplicates`);
      const queue = new Queue<GradientJobData>(gradientQueue.name, {
        connection: queueConnection(gradientQueue.target),
      });
      const worker = startGradientWorker(gradientQueue, 30);
      let computed = 0;
      worker.on('completed', () => computed++);
      try {
        const data: GradientJobData = {
          handlers: 'rl-shard-handlers',
          backend: 'cpu',
          method: 'trpoEnd',
          payload: { session: 'duplicates' },
        };
        await queue.add('trpoEnd', data, { jobId: 'trainer.7.1' });
        await waitFor('the shard', 30, () => (computed === 1 ? true : undefined));
        await queue.add('trpoEnd', data, { jobId: 'trainer.7.1' });
        await new Promise((resolve) => setTimeout(resolve, 1500));
        expect(computed).toBe(1);
        expect(await (await queue.getJob('trainer.7.1'))!.getState()).toBe('completed');
      } finally {
        await worker.close();
        await queue.close();
      }
    });

    it('a step no worker answers fails within the timeout, naming the queue; the run resumes later', {
      timeout: 120_000,
    }, async () => {
      const queue = `${redis.url}/nobody`;
      const dir = join(mkdtempSync(join(tmpdir(), 'gradient-timeout-')), 'run');
      const args = [...L2L, '--workers', '2', '--gradient-queue', queue];
      const failed = metagrad(...args, '--gradient-timeout', '2', '--run-dir', dir);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain(
        `no gradient worker finished metaGradient (shard 0) on ${queue} within 2 s; start workers with: metagrad gradient-worker --gradient-queue ${queue}`,
      );
      const worker = gradientWorker(queue);
      try {
        expect(metagrad(...args, '--resume', dir).code).toBe(0);
      } finally {
        await stopProcess(worker);
      }
    });
  },
);

describe('--gradient-queue and --gradient-timeout refuse bad values with one line and exit 2', () => {
  it('a URL that is not Redis, a timeout that is not a positive number', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--gradient-queue', 'http://:pw@h/q'],
        /^metagrad: invalid gradient-queue: "http:\/\/:\*\*\*@h\/q" \(expected a redis/,
      ],
      [
        ['--gradient-queue', 'redis://127.0.0.1:1/q', '--gradient-timeout', '0'],
        /^metagrad: invalid gradient-timeout: "0"/,
      ],
    ];
    for (const [flags, message] of cases) {
      const { code, line } = await refusal('l2l', 'train', '--epochs', '1', ...flags);
      expect(code).toBe(2);
      expect(line).toMatch(message);
      expect(line.split('\n')).toHaveLength(1);
    }
  });
});
