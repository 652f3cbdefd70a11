import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planL2lTrain, planRl2Train } from '../testing/trainers-in-process.js';

describe('l2l train plans', () => {
  const dir = mkdtempSync(join(tmpdir(), 'l2l-plan-'));

  it('an MLP task gets the MLP recipe defaults; a quadratic keeps the schema’s', async () => {
    const mlp = await planL2lTrain({ task: 'mlp', runDir: join(dir, 'mlp') });
    expect(mlp.config).toMatchObject({ instances: 4, evalInstances: 16, epochs: 400 });
    const quadratic = await planL2lTrain({ runDir: join(dir, 'quadratic') });
    expect(quadratic.config).toMatchObject({ instances: 128, evalInstances: 128, epochs: 200 });
  });

  it('a --config file and flags still win over the MLP defaults', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ task: 'mlp', epochs: 50 }));
    const plan = await planL2lTrain({ config, instances: 8, runDir: join(dir, 'configured') });
    expect(plan.config).toMatchObject({ epochs: 50, instances: 8, evalInstances: 16 });
  });
});

describe('rl2 train plans', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rl2-plan-'));

  it.each([
    ['bandit', 10, { algorithm: 'trpo', valueNetwork: 'separate', batch: 512, iterations: 400 }],
    ['bandit', 100, { algorithm: 'ppo', timeInputs: 'critic', batch: 1024, gaeLambda: 0.8, iterations: 240 }],
    [
      'mdp',
      10,
      {
        algorithm: 'ppo',
        previousObservation: true,
        embedding: 128,
        learningRate: 0.001,
        entropyCoefficient: 0.03,
        iterations: 600,
        memorySlots: 16,
        memoryKeys: 'observation',
      },
    ],
  ] as const)('without --config, %s n = %i trains the README’s recipe', async (env, episodes, expected) => {
    const plan = await planRl2Train({ env, episodes, runDir: join(dir, `${env}-${episodes}`) });
    expect(plan.config).toMatchObject(expected);
  });

  it('refuses a memory keyed by observation on an environment without observations, naming the field', async () => {
    await expect(
      planRl2Train({ env: 'bandit', previousObservation: true, memorySlots: 4, runDir: join(dir, 'keyed') }),
    ).rejects.toThrow(
      /invalid memory-keys: "observation" \(bandit has no observation to address the memory by/,
    );
  });

  it('flags win over the recipe, and a --config file starts from the library’s defaults instead', async () => {
    const flagged = await planRl2Train({
      episodes: 10,
      iterations: 50,
      algorithm: 'ppo',
      runDir: join(dir, 'a'),
    });
    expect(flagged.config).toMatchObject({ iterations: 50, algorithm: 'ppo', batch: 512 });
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ episodes: 10 }));
    const configured = await planRl2Train({ config, runDir: join(dir, 'b') });
    expect(configured.config).toMatchObject({ algorithm: 'ppo', valueNetwork: 'shared', iterations: 200 });
  });
});
