import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '@metagrad/core';
import { taskFamilyFor, taskSettingsSchema } from '@metagrad/optimizers';
import { envFor } from '@metagrad/rl';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { metagrad } from '../testing/run-metagrad.js';
import { planL2lTrain, planRl2Train, runL2lTrain, runRl2Train } from '../testing/trainers-in-process.js';
import { loadEnvModule, loadTaskModule } from './user-modules.js';

const example = (file: string) => fileURLToPath(new URL(`../../../../examples/${file}`, import.meta.url));
const TASK = example('rosenbrock-task.mjs');
const ENV = example('chain-env.mjs');
const quiet = { sinks: [], print: () => {}, beforeStep: async () => {}, plainProgress: false };

describe('user task families and environments, by module', () => {
  it('the Rosenbrock example registers a family whose loss is 0 exactly at θ = 1', async () => {
    expect(await loadTaskModule(TASK)).toBe('rosenbrock');
    const family = taskFamilyFor(taskSettingsSchema.parse({ task: 'rosenbrock' }));
    const task = family.sample(new Rng(0), 3);
    const loss = tf.tidy(() => task.loss(tf.ones([3, task.numParams]) as tf.Tensor2D, 0));
    expect(Array.from(loss.dataSync())).toEqual([0, 0, 0]);
    const start = task.initialParams();
    expect(Math.min(...task.loss(start, 0).dataSync())).toBeGreaterThan(0);
    tf.dispose([loss, start]);
    task.dispose();
  });

  it('l2l train meta-trains on a --task-module family, and the run records the module for a resume', async () => {
    const runDir = join(mkdtempSync(join(tmpdir(), 'task-module-')), 'run');
    const plan = await planL2lTrain({
      taskModule: TASK,
      task: 'rosenbrock',
      epochs: 2,
      steps: 10,
      unroll: 5,
      instances: 8,
      evalInstances: 8,
      workers: 1,
      compare: false,
      runDir,
    });
    expect(await runL2lTrain(plan, quiet)).toBe('completed');
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
    expect(Number.isFinite(summary.best.value)).toBe(true);
    expect(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).config.taskModule).toBe(TASK);
  });

  it('rl2 train learns on a --env-module environment, and rl2 eval finds the module through the run', async () => {
    expect(await loadEnvModule(ENV)).toBe('chain');
    const env = envFor({ env: 'chain', arms: 5 });
    expect(env.observationSize).toBe(5);
    const runDir = join(mkdtempSync(join(tmpdir(), 'env-module-')), 'run');
    const plan = await planRl2Train({
      envModule: ENV,
      env: 'chain',
      episodes: 2,
      hidden: 8,
      batch: 16,
      iterations: 2,
      evalTrials: 16,
      workers: 1,
      runDir,
    });
    expect(await runRl2Train(plan, quiet)).toBe('completed');
    // Another process: the environment comes back from the run's config.json.
    const evaluated = metagrad(
      'rl2',
      'eval',
      '--env',
      'chain',
      '--episodes',
      '2',
      '--trials',
      '20',
      '--policy',
      runDir,
      '--json',
    );
    expect(evaluated.stderr).toBe('');
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ env: 'chain', trials: 20 });
    // The module moves: the recorded path fails, and --env-module points to it again.
    const moved = join(mkdtempSync(join(tmpdir(), 'moved-')), 'chain-env.mjs');
    cpSync(ENV, moved);
    const copy = join(runDir, '..', 'copy');
    cpSync(runDir, copy, { recursive: true });
    const config = JSON.parse(readFileSync(join(copy, 'config.json'), 'utf8'));
    config.config.envModule = join(tmpdir(), 'no-longer-here', 'chain-env.mjs');
    writeFileSync(join(copy, 'config.json'), JSON.stringify(config));
    const evalArgs = ['rl2', 'eval', '--env', 'chain', '--episodes', '2', '--trials', '20', '--policy', copy];
    expect(metagrad(...evalArgs).stderr).toMatch(/invalid env-module: .*no-longer-here.* \(no such file\)/);
    const pointed = metagrad(...evalArgs, '--env-module', moved, '--json');
    expect(pointed.code, pointed.stderr).toBe(0);
    expect(JSON.parse(pointed.stdout).mean).toBe(JSON.parse(evaluated.stdout).mean);
  });

  it('a module whose create() returns the wrong object is refused at the boundary, naming what is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wrong-module-'));
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const task = write(
      'task.mjs',
      "export default { name: 'broken-task', create: () => ({ name: 'x', sample() {} }) };",
    );
    const env = write(
      'env.mjs',
      "export default { name: 'broken-env', create: () => ({ name: 'x', numActions: 3 }) };",
    );
    const l2l = metagrad(
      'l2l',
      'train',
      '--task-module',
      task,
      '--task',
      'broken-task',
      '--run-dir',
      join(dir, 'a'),
    );
    expect(l2l.code).toBe(2);
    expect(l2l.stderr).toMatch(
      /^metagrad: invalid task-module: ".*task\.mjs" \(create\(\) returned a TaskFamily whose describe is missing; expected a method\)\n$/,
    );
    const rl2 = metagrad(
      'rl2',
      'train',
      '--env-module',
      env,
      '--env',
      'broken-env',
      '--run-dir',
      join(dir, 'b'),
    );
    expect(rl2.code).toBe(2);
    expect(rl2.stderr).toMatch(
      /invalid env-module: ".*env\.mjs" \(create\(\) returned an Env whose observationSize is missing/,
    );
    expect(existsSync(join(dir, 'a')) || existsSync(join(dir, 'b'))).toBe(false);
  });

  it('a resume points a moved --task-module to its new path without --allow-changes, and records both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'moved-task-'));
    // The module imports tfjs: give its new home the repository's packages.
    symlinkSync(example('../node_modules'), join(dir, 'node_modules'));
    const first = join(dir, 'first.mjs');
    cpSync(TASK, first);
    const runDir = join(dir, 'run');
    const args = ['--task', 'rosenbrock', '--steps', '10', '--unroll', '5', '--instances', '8'];
    const train = [
      'l2l',
      'train',
      ...args,
      '--eval-instances',
      '8',
      '--workers',
      '1',
      '--no-compare',
      '--no-tui',
    ];
    expect(metagrad(...train, '--epochs', '1', '--task-module', first, '--run-dir', runDir).code).toBe(0);
    const second = join(dir, 'second.mjs');
    renameSync(first, second);
    const resumed = metagrad('l2l', 'train', '--resume', runDir, '--task-module', second, '--no-tui');
    expect(resumed.code, resumed.stderr).toBe(0);
    const changes = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).changes;
    expect(changes).toMatchObject([{ field: 'taskModule', from: first, to: second }]);
  });
});
