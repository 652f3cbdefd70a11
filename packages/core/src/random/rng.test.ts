import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gumbelSoftmax } from '../gumbel/gumbel-softmax.js';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('derives named child streams that do not depend on how much the parent was used', () => {
    const root = new Rng(1);
    const first = root.child('task').next();
    root.next();
    root.next();
    expect(root.child('task').next()).toBe(first);
    expect(root.child('worker').next()).not.toBe(first);
  });

  it('restores its state exactly from plain JSON', () => {
    const rng = new Rng('checkpoint');
    rng.next();
    const saved = JSON.parse(JSON.stringify(rng.state()));
    const expected = [rng.next(), rng.next(), rng.nextSeed()];
    const restored = Rng.fromState(saved);
    expect([restored.next(), restored.next(), restored.nextSeed()]).toEqual(expected);
  });

  it('keeps uniforms strictly inside (0, 1) after float32 rounding', () => {
    const u = new Rng(3).uniformArray(200_000);
    let min = 1;
    let max = 0;
    for (const x of u) {
      min = Math.min(min, x);
      max = Math.max(max, x);
    }
    expect(min).toBeGreaterThan(0);
    expect(max).toBeLessThan(1);
  });

  it('makes tfjs random ops and Gumbel-softmax reproducible on this backend', () => {
    const run = () =>
      tf.tidy(() => {
        const rng = new Rng(99);
        const normal = rng.normalTensor([64]);
        const y = gumbelSoftmax(tf.zeros([16, 5]), { temperature: 0.7, seed: rng.child('g') });
        return tf.concat([normal, y.flatten()]);
      });
    const first = run();
    const second = run();
    expect(Array.from(second.dataSync())).toEqual(Array.from(first.dataSync()));
    tf.dispose([first, second]);
  });
});
