/**
 * `pnpm bench:distributed`: what Redis and BullMQ cost and give on this machine, with real processes
 * on a redis-server of its own (skipped, saying why, where there is none). Timing lives here, never
 * in tests. Three measurements, each in interleaved rounds:
 *
 * 1. A sweep of 8 short quadratic runs taken by 1 and by 2 running `metagrad worker` processes:
 *    seconds from queueing it to the last run's summary.json, and the throughput ratio; for runs by
 *    truncated backpropagation and by evolution strategies, each beside the machine's own ceiling
 *    for two runs at once (two plain `l2l train` processes, no Redis).
 * 2. An ES meta-step with 32 antithetic particle pairs on 128 quadratics: on the training thread
 *    (`--workers 1`, no queue), and split over 2 `metagrad gradient-worker` processes through Redis
 *    (`--workers 2 --gradient-queue`): the median step time of each, and the ratio.
 * 3. The round trip of one shard request through the queue with nothing to compute (`trpoEnd`), the
 *    overhead every shard pays, beside the step times above.
 *
 *   pnpm bench:distributed [-- --rounds 2 --out file.json]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readJsonl, shardTransport, writeFileAtomic } from '@metagrad/core';
import { RL_SHARD_HANDLERS } from '@metagrad/rl';
import { parseGradientQueue, useGradientQueue } from '../src/distributed/gradient-queue.js';
import { parseRedisUrl } from '../src/redis/redis-url.js';
import { enqueueSweep, sweepQueue } from '../src/sweep/sweep-queue.js';
import { resolveSweepRuns } from '../src/sweep/sweep-runs.js';
import { readSweepSpec } from '../src/sweep/sweep-spec.js';
import { redisUnavailable, TestRedis } from '../src/testing/redis-server.js';
import { MAIN, NODE, TS_LOADER } from '../src/testing/run-metagrad.js';
import { hostedSchema } from '../src/trainers/trainer-flags.js';
import { trainerNamed } from '../src/trainers/trainer-registry.js';

const args = process.argv.slice(2);
const { values } = parseArgs({
  args: args[0] === '--' ? args.slice(1) : args,
  options: { rounds: { type: 'string', default: '2' }, out: { type: 'string' } },
});
const rounds = Number(values.rounds);

const unavailable = redisUnavailable();
if (unavailable) {
  console.log(`bench:distributed skipped: ${unavailable}`);
  process.exit(0);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function metagrad(...argv: string[]): ChildProcess {
  return spawn(NODE, [...TS_LOADER, MAIN, ...argv], { stdio: 'ignore' });
}

function finished(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', resolve));
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map((c) => {
      if (c.exitCode !== null) return Promise.resolve();
      const done = finished(c);
      c.kill('SIGTERM');
      return done;
    }),
  );
}

async function until(check: () => boolean, seconds: number, what: string): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const redis = await TestRedis.start();
// Stopped however the bench ends, a failed round included.
process.on('exit', () => redis.dispose());
const work = mkdtempSync(join(tmpdir(), 'bench-distributed-'));
/** Two kinds of short runs: truncated backpropagation (memory-bound), and evolution strategies (compute-bound). */
const RUN_KINDS = {
  tbptt: {
    task: 'quadratic',
    epochs: 40,
    instances: 32,
    evalInstances: 32,
    evalEvery: 10,
    checkpointEvery: 10,
    compare: false,
    workers: 1,
  },
  es: {
    task: 'quadratic',
    estimator: 'es',
    particles: 8,
    epochs: 2,
    evalEvery: 2,
    evalInstances: 64,
    compare: false,
    workers: 1,
  },
} as const;
type RunKind = keyof typeof RUN_KINDS;

const toFlag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Flags of a plain `l2l train` with a run kind's settings. */
function trainFlags(kind: RunKind, seed: number, dir: string): string[] {
  const flags = Object.entries(RUN_KINDS[kind]).flatMap(([key, value]) =>
    value === false ? [`--no-${toFlag(key).slice(2)}`] : [toFlag(key), String(value)],
  );
  return ['l2l', 'train', ...flags, '--seed', String(seed), '--run-dir', dir, '--json'];
}

let sweeps = 0;

/**
 * Seconds for `workers` running worker processes to finish a fresh sweep of 8 runs, from queueing it
 * to the last run's summary.json: a worker pool's throughput once it is up (each worker forks its
 * sandbox on its first run, inside the time). Each sweep has seeds of its own: a run already done
 * (the same resolved config) would not be queued again.
 */
async function sweepSeconds(kind: RunKind, workers: number): Promise<number> {
  const name = `${kind}-${sweeps}-${workers}w`;
  const seeds = [1, 2, 3, 4].map((s) => 10 * sweeps + s);
  sweeps++;
  const spec = join(work, `${name}.json`);
  writeFileSync(
    spec,
    JSON.stringify({ name, base: RUN_KINDS[kind], grid: { metaLearningRate: [0.01, 0.003] }, seeds }),
  );
  const root = join(work, `root-${name}`);
  const processes = Array.from({ length: workers }, () => {
    const child = spawn(NODE, [...TS_LOADER, MAIN, 'worker', '--redis', redis.url, '--runs-root', root], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const ready = new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('worker on')) resolve();
      });
    });
    return { child, ready };
  });
  await Promise.all(processes.map((p) => p.ready));
  const started = performance.now();
  const runs = await resolveSweepRuns(readSweepSpec(spec, (t) => hostedSchema(trainerNamed(t))));
  const queue = sweepQueue(parseRedisUrl('redis', redis.url));
  await enqueueSweep(queue, name, 'l2l', runs);
  await queue.close();
  const summaries = () =>
    existsSync(join(root, name))
      ? readdirSync(join(root, name)).filter((d) => existsSync(join(root, name, d, 'summary.json'))).length
      : 0;
  await until(() => summaries() === 8, 900, `sweep ${name}`);
  const seconds = (performance.now() - started) / 1000;
  await stop(processes.map((p) => p.child));
  return seconds;
}

/**
 * The machine's own ceiling for two runs at once, without Redis: the training seconds of one run of
 * `kind` alone, over the slower of two started together (each summary's `seconds`), times 2.
 */
async function concurrencyCeiling(kind: RunKind): Promise<number> {
  const dir = mkdtempSync(join(work, `ceiling-${kind}-`));
  const seconds = (run: string) =>
    JSON.parse(readFileSync(join(dir, run, 'summary.json'), 'utf8')).seconds as number;
  await finished(metagrad(...trainFlags(kind, 901, join(dir, 'alone'))));
  await Promise.all([
    finished(metagrad(...trainFlags(kind, 902, join(dir, 'a')))),
    finished(metagrad(...trainFlags(kind, 903, join(dir, 'b')))),
  ]);
  return (2 * seconds('alone')) / Math.max(seconds('a'), seconds('b'));
}

const ES =
  'l2l train --estimator es --particles 32 --epochs 2 --no-compare --eval-every 100 --seed 3 --json'.split(
    ' ',
  );

/** The median meta-step time (ms) of a short ES run, from its logged steps. */
async function esStepMs(dir: string, extra: string[]): Promise<number> {
  if ((await finished(metagrad(...ES, '--run-dir', dir, ...extra))) !== 0)
    throw new Error(`ES run ${dir} failed`);
  const steps = readJsonl<{ type: string; ms: number }>(join(dir, 'metrics.jsonl')).records.filter(
    (e) => e.type === 'progress',
  );
  // The first step pays for loading the workers' handlers.
  return median(steps.slice(1).map((e) => e.ms));
}

const results: Record<string, number[]> = {
  tbptt1: [],
  tbptt2: [],
  tbpttCeiling: [],
  es1: [],
  es2: [],
  esCeiling: [],
  esLocal: [],
  esQueue2: [],
  roundTripMs: [],
};
const queueUrl = `${redis.url}/bench`;
for (let round = 0; round < rounds; round++) {
  for (const kind of ['tbptt', 'es'] as const) {
    results[`${kind}1`]!.push(await sweepSeconds(kind, 1));
    results[`${kind}2`]!.push(await sweepSeconds(kind, 2));
    results[`${kind}Ceiling`]!.push(await concurrencyCeiling(kind));
  }
  results.esLocal!.push(await esStepMs(join(work, `es-local-${round}`), ['--workers', '1']));
  const gradientWorkers = [
    metagrad('gradient-worker', '--gradient-queue', queueUrl),
    metagrad('gradient-worker', '--gradient-queue', queueUrl),
  ];
  results.esQueue2!.push(
    await esStepMs(join(work, `es-queue-${round}`), ['--workers', '2', '--gradient-queue', queueUrl]),
  );
  // The same workers answer empty requests: the queue's own cost per shard.
  useGradientQueue(parseGradientQueue('gradient-queue', queueUrl), 60);
  const transport = shardTransport(RL_SHARD_HANDLERS, 'cpu', 0);
  const trips: number[] = [];
  for (let i = 0; i < 60; i++) {
    const t0 = performance.now();
    await transport.call('trpoEnd', { session: 'round-trip' });
    if (i >= 10) trips.push(performance.now() - t0);
  }
  await transport.close();
  results.roundTripMs!.push(median(trips));
  await stop(gradientWorkers);
  const last = (key: string) => results[key]!.at(-1)!;
  console.log(
    `round ${round + 1}/${rounds}: tbptt sweep ${last('tbptt1').toFixed(1)} s / ${last('tbptt2').toFixed(1)} s (ceiling ${last('tbpttCeiling').toFixed(2)}x); ` +
      `es sweep ${last('es1').toFixed(1)} s / ${last('es2').toFixed(1)} s (ceiling ${last('esCeiling').toFixed(2)}x); ` +
      `ES step ${last('esLocal').toFixed(0)} ms local, ${last('esQueue2').toFixed(0)} ms on 2 queue workers; round trip ${last('roundTripMs').toFixed(2)} ms`,
  );
}

const ratios = (a: number[], b: number[]) => a.map((x, i) => x / b[i]!);
const report = {
  rounds,
  sweeps: Object.fromEntries(
    (['tbptt', 'es'] as const).map((kind) => [
      kind,
      {
        runs: 8,
        settings: RUN_KINDS[kind],
        secondsOneWorker: results[`${kind}1`],
        secondsTwoWorkers: results[`${kind}2`],
        throughputRatioMedian: median(ratios(results[`${kind}1`]!, results[`${kind}2`]!)),
        machineCeilingMedian: median(results[`${kind}Ceiling`]!),
      },
    ]),
  ),
  esMetaStep32Pairs: {
    msLocal: results.esLocal,
    msTwoQueueWorkers: results.esQueue2,
    speedupMedian: median(ratios(results.esLocal!, results.esQueue2!)),
  },
  shardRoundTripMs: { perRound: results.roundTripMs, median: median(results.roundTripMs!) },
};
console.log(JSON.stringify(report, null, 2));
const out =
  values.out ??
  join('bench', 'results', `distributed-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(join(out, '..'), { recursive: true });
writeFileAtomic(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${out}`);
