import { describe, expect, it } from 'vitest';
import { Sgd } from '../hand-designed/sgd.js';
import { taskSettingsSchema } from '../tasks/task-registry.js';
import { generalisationStudy, generalisationVariants } from './generalisation-study.js';
import { taskSplits } from './task-splits.js';

describe('the generalisation study', () => {
  it("has the paper's variants for an MLP: wider, deeper, ReLU, and twice the horizon", () => {
    const variants = generalisationVariants(taskSettingsSchema.parse({ task: 'mlp' }), 100);
    expect(variants.map((v) => [v.label, v.settings.hidden, v.settings.activation, v.steps])).toEqual([
      ['as trained', [20], 'sigmoid', 100],
      ['40 units', [40], 'sigmoid', 100],
      ['2 layers', [20, 20], 'sigmoid', 100],
      ['ReLU', [20], 'relu', 100],
      ['200 steps', [20], 'sigmoid', 200],
    ]);
    expect(generalisationVariants(taskSettingsSchema.parse({}), 100).map((v) => v.label)).toEqual([
      'as trained',
      '200 steps',
    ]);
  });

  it('pairs every optimizer with the learned one on the same test tasks', async () => {
    const rows = await generalisationStudy({
      learned: new Sgd({ learningRate: 0.01 }),
      variants: generalisationVariants(taskSettingsSchema.parse({}), 20),
      splits: taskSplits(3),
      instances: 16,
      tuneInstances: 8,
      baselines: ['sgd', 'adam'],
    });
    expect(rows.map((r) => r.steps)).toEqual([20, 40]);
    for (const row of rows) {
      const [learned, ...baselines] = row.entries;
      for (const entry of baselines) {
        // Paired over the same instances: the mean difference is the difference of the means…
        expect(entry.learnedMinusThis!.mean).toBeCloseTo(
          learned!.log10FinalLoss.mean - entry.log10FinalLoss.mean,
          10,
        );
        expect(entry.learnedMinusThis!.n).toBe(16);
      }
      expect(row.bestBaseline).toBe(
        baselines.reduce((a, b) => (b.log10FinalLoss.mean < a.log10FinalLoss.mean ? b : a)).optimizer,
      );
    }
    // …and tuned SGD, on the same tasks, is never worse than SGD at a fixed 0.01 by much.
    expect(rows[0]!.entries[1]!.learnedMinusThis!.mean).toBeGreaterThan(-0.05);
  });
});
