import { describe, expect, it } from 'vitest';
import { ValueNormalizer } from './value-normalizer.js';

describe('ValueNormalizer', () => {
  it('is the identity before any update', () => {
    const n = new ValueNormalizer();
    expect(Array.from(n.normalize([Float32Array.of(3, -2)])[0]!)).toEqual([3, -2]);
  });

  it('after one batch, standardises that batch exactly (debiased moving averages)', () => {
    const n = new ValueNormalizer(0.9);
    n.update([Float32Array.of(1, 3), Float32Array.of(5, 7)]);
    // mean 4, population std √5.
    expect(n.stats.mean).toBeCloseTo(4, 6);
    expect(n.stats.std).toBeCloseTo(Math.sqrt(5), 6);
    const z = n.normalize([Float32Array.of(4, 4 + Math.sqrt(5))])[0]!;
    expect(z[0]).toBeCloseTo(0, 6);
    expect(z[1]).toBeCloseTo(1, 5);
  });

  it('weights batches by decay and round-trips through denormalize and its saved state', () => {
    const n = new ValueNormalizer(0.5);
    n.update([Float32Array.of(0)]);
    n.update([Float32Array.of(10)]);
    // Debiased: (0.5·0.5·0 + 0.5·10) / (1 − 0.25) = 20/3.
    expect(n.stats.mean).toBeCloseTo(20 / 3, 6);
    const restored = new ValueNormalizer(0.5);
    restored.restore(n.state());
    expect(restored.stats).toEqual(n.stats);
    const back = restored.denormalize(n.normalize([Float32Array.of(2.5, -7)]))[0]!;
    expect(back[0]).toBeCloseTo(2.5, 5);
    expect(back[1]).toBeCloseTo(-7, 5);
  });
});
