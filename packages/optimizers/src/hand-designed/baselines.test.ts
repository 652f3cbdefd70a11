import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Adam } from './adam.js';
import { Momentum, Nesterov } from './momentum.js';
import { disposeState, type Optimizer } from './optimizer.js';
import { RmsProp } from './rmsprop.js';
import { Sgd } from './sgd.js';

/** Runs an optimizer on a fixed gradient sequence and returns the updates. */
function updates(optimizer: Optimizer, gradients: number[]): number[] {
  let state = optimizer.init(tf.zeros([1]));
  return gradients.map((g, step) => {
    const out = optimizer.step(tf.tensor1d([g]), state, step);
    disposeState(state);
    state = out.state;
    return out.update.dataSync()[0]!;
  });
}

describe('hand-designed baselines match hand-computed updates', () => {
  const gs = [2, -1, 0.5];

  it('SGD: Δ = −αg', () => {
    expect(updates(new Sgd({ learningRate: 0.1 }), gs)).toEqual(gs.map((g) => expect.closeTo(-0.1 * g, 6)));
  });

  it('momentum: v ← μv − αg', () => {
    // v1 = −0.2; v2 = 0.9·−0.2 + 0.1 = −0.08; v3 = 0.9·−0.08 − 0.05 = −0.122
    expect(updates(new Momentum({ learningRate: 0.1, momentum: 0.9 }), gs)).toEqual(
      [-0.2, -0.08, -0.122].map((v) => expect.closeTo(v, 6)),
    );
  });

  it('NAG: Δ = μ·v_new − αg', () => {
    // v: −0.2, −0.08, −0.122 (as above); Δ = 0.9·v − 0.1·g
    expect(updates(new Nesterov({ learningRate: 0.1, momentum: 0.9 }), gs)).toEqual(
      [0.9 * -0.2 - 0.2, 0.9 * -0.08 + 0.1, 0.9 * -0.122 - 0.05].map((v) => expect.closeTo(v, 6)),
    );
  });

  it('RMSProp: s ← ρs + (1−ρ)g², Δ = −αg/(√s + ε)', () => {
    const s1 = 0.1 * 4;
    const s2 = 0.9 * s1 + 0.1 * 1;
    expect(updates(new RmsProp({ learningRate: 0.01, decay: 0.9, epsilon: 0 }), gs.slice(0, 2))).toEqual([
      expect.closeTo((-0.01 * 2) / Math.sqrt(s1), 6),
      expect.closeTo((-0.01 * -1) / Math.sqrt(s2), 6),
    ]);
  });

  it('Adam: bias-corrected moments', () => {
    const b1 = 0.9;
    const b2 = 0.999;
    let m = 0;
    let v = 0;
    const expected = gs.map((g, i) => {
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      const mHat = m / (1 - b1 ** (i + 1));
      const vHat = v / (1 - b2 ** (i + 1));
      return expect.closeTo((-0.05 * mHat) / (Math.sqrt(vHat) + 1e-8), 5);
    });
    expect(updates(new Adam({ learningRate: 0.05 }), gs)).toEqual(expected);
  });
});
