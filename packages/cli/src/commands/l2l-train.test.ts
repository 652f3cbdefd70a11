import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planL2lTrain } from './l2l-train.js';

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
