import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../testing/redis-server.js';
import { metagrad } from '../testing/run-metagrad.js';
import { waitFor } from '../testing/sweep-processes.js';
import { decodeHParamsPluginData } from './hparams.js';
import { decodeEvent, decodePluginEvent } from './tensorboard.js';
import { readTfRecords } from './tfrecord.js';

const OBJECTIVE = 'held-out log10 final loss';

/** A sweep folder of four finished runs (2 learning rates × 2 seeds) and one still running. */
function sweepFolder(): string {
  const root = join(mkdtempSync(join(tmpdir(), 'sweep-tb-')), 'tiny');
  let n = 0;
  for (const [lr, seed, done] of [
    [0.01, 1, true],
    [0.01, 2, true],
    [0.003, 1, true],
    [0.003, 2, true],
    [0.001, 1, false],
  ] as const) {
    const dir = join(root, `l2l-run${n++}`);
    mkdirSync(dir, { recursive: true });
    const config = { task: 'quadratic', metaLearningRate: lr, seed, layers: [20, 20], workers: 1 };
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ kind: 'l2l-train', config, seed, backend: 'wasm', run: {} }),
    );
    const values = [-0.1 * seed, -0.3 * seed];
    const events = values.flatMap((value, i) => [
      {
        type: 'progress',
        time: 1_700_000_000_000 + i * 1000,
        step: (i + 1) * 10,
        metrics: { metaLoss: 1 / (i + 1) },
        ms: 5,
      },
      {
        type: 'evaluation',
        time: 1_700_000_000_500 + i * 1000,
        step: (i + 1) * 10,
        name: OBJECTIVE,
        value,
        higherIsBetter: false,
        best: true,
      },
    ]);
    writeFileSync(join(dir, 'metrics.jsonl'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    if (done) {
      const summary = {
        status: 'completed',
        steps: 20,
        best: { name: OBJECTIVE, value: values[1], higherIsBetter: false },
      };
      writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
    }
  }
  return root;
}

const recordsOf = (path: string) => readTfRecords(readFileSync(path));

describe('a sweep as TensorBoard HParams summaries', () => {
  it('writes the experiment at the root, and each run as a session with its varying settings, group and status', () => {
    const sweep = sweepFolder();
    const out = join(sweep, 'tensorboard');
    const result = metagrad('sweep', 'tensorboard', sweep);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('wrote 5 sessions');
    const rootFile = readdirSync(out).find((f) => f.startsWith('events.out.tfevents'))!;
    const [experimentValue] = recordsOf(join(out, rootFile)).slice(1).flatMap(decodePluginEvent);
    expect(experimentValue).toMatchObject({ tag: '_hparams_/experiment', plugin: 'hparams' });
    const { experiment } = decodeHParamsPluginData(experimentValue!.content) as {
      experiment: {
        hparamInfos: { name: string; domainInterval?: unknown }[];
        metricInfos: { name: { tag: string } }[];
      };
    };
    // Only what varies: the learning rate and the seed, not the task or the layers.
    expect(experiment.hparamInfos).toEqual([
      { name: 'metaLearningRate', type: 3, domainInterval: { minValue: 0.001, maxValue: 0.01 } },
      { name: 'seed', type: 3, domainInterval: { minValue: 1, maxValue: 2 } },
    ]);
    expect(experiment.metricInfos.map((m) => m.name.tag)).toEqual([
      `evaluation/${OBJECTIVE}`,
      `best/${OBJECTIVE}`,
    ]);

    const session = (name: string) => {
      const files = readdirSync(join(out, name));
      const hparams = recordsOf(join(out, name, files.find((f) => f.endsWith('.hparams'))!))
        .slice(1)
        .flatMap(decodePluginEvent);
      const scalars = recordsOf(join(out, name, files.find((f) => !f.endsWith('.hparams'))!))
        .slice(1)
        .map(decodeEvent);
      return {
        start: decodeHParamsPluginData(hparams[0]!.content).sessionStartInfo as Record<string, unknown>,
        end: decodeHParamsPluginData(hparams[1]!.content).sessionEndInfo as Record<string, unknown>,
        scalars: scalars.flatMap((e) => e.scalars.map((s) => ({ ...s, step: e.step }))),
      };
    };
    const finished = session('l2l-run2');
    expect(finished.start).toMatchObject({
      hparams: { metaLearningRate: { numberValue: 0.003 }, seed: { numberValue: 1 } },
      groupName: '{"metaLearningRate":0.003}',
    });
    expect(finished.end).toMatchObject({ status: 1 });
    expect(finished.scalars).toContainEqual({
      tag: `best/${OBJECTIVE}`,
      value: expect.closeTo(-0.3, 6),
      step: 20,
    });
    expect(finished.scalars).toContainEqual({
      tag: `evaluation/${OBJECTIVE}`,
      value: expect.closeTo(-0.1, 6),
      step: 10,
    });
    expect(session('l2l-run4').end).toMatchObject({ status: 3 });
    // A second export beside the first would show each run twice: refused, nothing written.
    const again = metagrad('sweep', 'tensorboard', sweep);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/invalid out: ".*tensorboard" \(is not empty/);
  });

  const tensorboard = spawnSync('tensorboard', ['--version_tb'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!tensorboard)(
    `TensorBoard's own HParams plugin reads the sweep${tensorboard ? '' : ' (skipped: no tensorboard on PATH)'}`,
    { timeout: 120_000 },
    async () => {
      const sweep = sweepFolder();
      expect(metagrad('sweep', 'tensorboard', sweep).code).toBe(0);
      const port = await freePort();
      const server = spawn(
        'tensorboard',
        ['--logdir', join(sweep, 'tensorboard'), '--port', String(port), '--load_fast=false'],
        { stdio: 'ignore' },
      );
      try {
        const post = async (path: string, body: unknown) => {
          const response = await fetch(`http://127.0.0.1:${port}/data/plugin/hparams/${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(5_000),
          }).catch(() => undefined);
          return response?.ok ? ((await response.json()) as Record<string, unknown[]>) : undefined;
        };
        // Ask once TensorBoard lists every run.
        await waitFor('TensorBoard to read the runs', 60, async () => {
          const runs = await fetch(`http://127.0.0.1:${port}/data/runs`, {
            signal: AbortSignal.timeout(5_000),
          })
            .then((r) => (r.ok ? (r.json() as Promise<string[]>) : []))
            .catch(() => []);
          // The five sessions and the experiment's root run.
          return runs.length >= 6 ? true : undefined;
        });
        const groups = await waitFor('the HParams plugin', 30, async () => {
          const answer = await post('session_groups', {
            experimentName: '',
            allowedStatuses: ['STATUS_UNKNOWN', 'STATUS_SUCCESS', 'STATUS_FAILURE', 'STATUS_RUNNING'],
            startIndex: 0,
            sliceSize: 100,
            colParams: [],
          });
          return answer && (answer.sessionGroups?.length ?? 0) >= 3 ? answer.sessionGroups : undefined;
        });
        // Two learning rates with two seeds each, and a third still running: three groups.
        expect(groups).toHaveLength(3);
      } finally {
        server.kill();
      }
    },
  );
});
