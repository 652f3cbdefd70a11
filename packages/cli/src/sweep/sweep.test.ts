import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedisUrl } from '../redis/redis-url.js';
import { inProcess, refusal } from '../testing/in-process.js';
import { redisUnavailable, TestRedis } from '../testing/redis-server.js';
import { metagrad } from '../testing/run-metagrad.js';
import { runOutputs } from '../testing/run-outputs.js';
import {
  endEvents,
  startWorker,
  stopProcess,
  sweepFinished,
  sweepStates,
  waitFor,
} from '../testing/sweep-processes.js';
import { hostedSchema } from '../trainers/trainer-flags.js';
import { trainerNamed } from '../trainers/trainer-registry.js';
import { enqueueSweep, sweepQueue } from './sweep-queue.js';
import { resolveSweepRuns } from './sweep-runs.js';
import { readSweepSpec } from './sweep-spec.js';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/sweeps/quadratic-tiny.json', import.meta.url));
const unavailable = redisUnavailable();

/** A sweep of short l2l runs that checkpoint every meta-step (the kill soak's run). */
const SHORT_RUN = {
  task: 'quadratic',
  epochs: 60,
  steps: 10,
  unroll: 5,
  instances: 16,
  evalInstances: 16,
  evalEvery: 5,
  checkpointEvery: 1,
  compare: false,
  workers: 1,
};

function writeSpec(spec: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sweep-')), 'spec.json');
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

describe.skipIf(unavailable)(
  `sweeps on a real Redis${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let redis: TestRedis;
    beforeAll(async () => {
      redis = await TestRedis.start();
    });
    afterAll(() => redis?.dispose());

    it('runs the example sweep on two workers, each run once; submitting it again adds nothing', {
      timeout: 240_000,
    }, async () => {
      const root = mkdtempSync(join(tmpdir(), 'sweep-runs-'));
      const first = await inProcess('sweep', 'start', EXAMPLE, '--redis', redis.url);
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('4 runs on');
      expect(first.stdout).toContain('4 queued, 0 already');
      const workers = [startWorker(redis.url, root), startWorker(redis.url, root)];
      try {
        const states = await sweepFinished(redis.url, 'quadratic-tiny', 200);
        expect(states.map((s) => s.state)).toEqual(['completed', 'completed', 'completed', 'completed']);
        for (const s of states) {
          expect(s.result).toMatchObject({
            status: 'completed',
            steps: 200,
            runDir: `quadratic-tiny/${s.id}`,
          });
          expect(endEvents(join(root, s.result!.runDir))).toHaveLength(1);
        }
        // Both workers took runs.
        for (const w of workers) expect(w.output).toMatch(/completed, best held-out/);
      } finally {
        await Promise.all(workers.map((w) => stopProcess(w)));
      }
      const again = await inProcess('sweep', 'start', EXAMPLE, '--redis', redis.url);
      expect(again.stdout).toContain('0 queued, 4 already queued or done');
      const status = await inProcess('sweep', 'status', 'quadratic-tiny', '--redis', redis.url);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(/metaLearningRate=0\.003 seed=2 +completed +200\/200 +-?\d\.\d{4}/);
      expect(status.stdout).toContain('4 completed');
      // The sweep's folder reads like any runs: settings over seeds, a figure, TensorBoard's HParams.
      const compare = await inProcess('runs', 'compare', join(root, 'quadratic-tiny'), '--json');
      expect(compare.code).toBe(0);
      const settings = JSON.parse(compare.stdout) as { label: string; seeds: unknown[] }[];
      expect(settings.map((s) => [s.label, s.seeds.length])).toEqual([
        ['metaLearningRate=0.01', 2],
        ['metaLearningRate=0.003', 2],
      ]);
      expect(
        (await inProcess('runs', 'plot', join(root, 'quadratic-tiny'), '--out', join(root, 'sweep.svg')))
          .code,
      ).toBe(0);
      expect((await inProcess('sweep', 'tensorboard', join(root, 'quadratic-tiny'))).stdout).toContain(
        'wrote 4 sessions',
      );
    });

    it('a worker killed with SIGKILL mid-run loses nothing: the next resumes, and the weights equal an uninterrupted run', {
      timeout: 240_000,
    }, async () => {
      const root = mkdtempSync(join(tmpdir(), 'sweep-kill-'));
      const spec = writeSpec({ name: 'killed', base: SHORT_RUN, seeds: [5, 6] });
      expect(metagrad('sweep', 'start', spec, '--redis', redis.url).code).toBe(0);
      const doomed = startWorker(redis.url, root, '--lock-seconds', '2');
      const first = await waitFor('a run part-way through', 90, () => {
        const states = readdirRuns(join(root, 'killed'));
        return states.find((dir) => checkpointSteps(dir) >= 20);
      });
      await stopProcess(doomed, 'SIGKILL');
      const survivor = startWorker(redis.url, root, '--lock-seconds', '2');
      try {
        const states = await sweepFinished(redis.url, 'killed', 180);
        expect(states.map((s) => s.state)).toEqual(['completed', 'completed']);
        expect(survivor.output).toMatch(/resuming from .*step-/);
        for (const s of states) expect(endEvents(join(root, s.result!.runDir))).toHaveLength(1);
        const killedRun = states.find((s) => first.endsWith(s.id))!;
        const reference = join(root, 'reference');
        const config = join(root, 'reference.json');
        writeFileSync(config, JSON.stringify({ ...SHORT_RUN, seed: killedRun.varying.seed }));
        expect(metagrad('l2l', 'train', '--config', config, '--run-dir', reference, '--json').code).toBe(0);
        expect(runOutputs('l2l', first)).toEqual(runOutputs('l2l', reference));
      } finally {
        await stopProcess(survivor);
      }
    });

    it('a Redis restart mid-sweep loses no job and duplicates none', { timeout: 240_000 }, async () => {
      const root = mkdtempSync(join(tmpdir(), 'sweep-restart-'));
      const spec = writeSpec({ name: 'restarted', base: SHORT_RUN, seeds: [1, 2, 3] });
      expect(metagrad('sweep', 'start', spec, '--redis', redis.url).code).toBe(0);
      const worker = startWorker(redis.url, root);
      try {
        await waitFor('the first run to complete', 120, async () =>
          (await sweepStates(redis.url, 'restarted')).some((s) => s.state === 'completed') ? true : undefined,
        );
        redis.restart();
        const states = await sweepFinished(redis.url, 'restarted', 180);
        expect(states.map((s) => s.state)).toEqual(['completed', 'completed', 'completed']);
        for (const s of states) {
          expect(s.attempts).toBe(1);
          expect(endEvents(join(root, s.result!.runDir))).toHaveLength(1);
        }
        const queue = sweepQueue(parseRedisUrl('redis', redis.url));
        try {
          expect(
            (await queue.getJobs(['completed'])).filter((j) => j.data.sweep === 'restarted'),
          ).toHaveLength(3);
        } finally {
          await queue.close();
        }
      } finally {
        await stopProcess(worker);
      }
    });

    it('a run that fails for its own reasons ends failed with its reason, and is not retried', {
      timeout: 120_000,
    }, async () => {
      const root = mkdtempSync(join(tmpdir(), 'sweep-failed-'));
      // Resolved on a machine where the settings were valid; the worker refuses them.
      const spec = writeSpec({ name: 'refused', base: { ...SHORT_RUN, epochs: 2 }, seeds: [1] });
      const runs = await resolveSweepRuns(readSweepSpec(spec, (t) => hostedSchema(trainerNamed(t))));
      const queue = sweepQueue(parseRedisUrl('redis', redis.url));
      try {
        await enqueueSweep(queue, 'refused', 'l2l', [
          { ...runs[0]!, config: { ...runs[0]!.config, unroll: 0 } },
        ]);
      } finally {
        await queue.close();
      }
      const worker = startWorker(redis.url, root);
      try {
        const [state] = await sweepFinished(redis.url, 'refused', 90);
        expect(state).toMatchObject({ state: 'failed', attempts: 1 });
        expect(state!.failure).toMatch(/invalid unroll: 0/);
        expect(existsSync(join(root, 'refused', state!.id, 'config.json'))).toBe(false);
      } finally {
        await stopProcess(worker);
      }
    });
  },
);

describe.skipIf(unavailable)('sweep commands refuse bad input with one line and exit 2', () => {
  let locked: TestRedis;
  beforeAll(async () => {
    locked = await TestRedis.start('s3cret-pw');
  });
  afterAll(() => locked?.dispose());

  it('an unreachable Redis, a missing or wrong password, a malformed spec', async () => {
    const closedPort = `redis://127.0.0.1:${locked.port + 1}`;
    const cases: [string[], RegExp][] = [
      [
        ['sweep', 'start', EXAMPLE, '--redis', closedPort],
        /invalid redis: "redis:\/\/127\.0\.0\.1:\d+" \(cannot be reached \(ECONNREFUSED\)\)/,
      ],
      [
        ['sweep', 'status', 'x', '--redis', locked.url.replace('s3cret-pw', 'wrong')],
        /invalid redis: "redis:\/\/:\*\*\*@127\.0\.0\.1:\d+" \(refused the password/,
      ],
      [
        ['worker', '--redis', `redis://127.0.0.1:${locked.port}`],
        /invalid redis: .* \(asks for a password \(NOAUTH\)/,
      ],
      [
        ['sweep', 'start', writeSpec({ name: 'x', seeds: [1], axes: {} }), '--redis', locked.url],
        /invalid spec: .*Unrecognized key/,
      ],
      [
        ['sweep', 'status', 'no-such-sweep', '--redis', locked.url],
        /invalid sweep: "no-such-sweep" \(no such sweep on redis:\/\/:\*\*\*@/,
      ],
      [['worker', '--redis', locked.url, '--concurrency', '0'], /invalid concurrency: "0"/],
      [['sweep', 'start', EXAMPLE], /invalid redis: undefined \(give --redis/],
    ];
    for (const [args, message] of cases) {
      const { code, line } = await refusal(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(line.split('\n'), args.join(' ')).toHaveLength(1);
      expect(line).toMatch(message);
      expect(line).not.toContain('s3cret-pw');
    }
  });
});

function readdirRuns(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).map((name) => join(dir, name)) : [];
}

/** The newest checkpoint's step of a run directory (0 before the first). */
function checkpointSteps(dir: string): number {
  const names = readdirRuns(join(dir, 'checkpoints')).map((p) => p.match(/step-(\d+)\.json$/)?.[1]);
  return Math.max(0, ...names.filter(Boolean).map(Number));
}
