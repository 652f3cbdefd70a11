import { maxScaledError, Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  fusedPpoHeadLoss,
  type HeadWeights,
  type PpoRowLoss,
  ppoHeadLoss,
  ppoLossOfHeadOutputs,
} from './ppo-head-loss.js';

const SETTINGS = { clip: 0.2, valueCoefficient: 0.5, entropyCoefficient: 0.05 };

/** Features, head weights and targets with log-probabilities near the current ones, so some ratios clip. */
function randomCase(rows: number, hidden: number, actions: number, seed: string) {
  const rng = new Rng(seed);
  const normal = (name: string, shape: number[], std = 1) => rng.child(name).normalTensor(shape, 0, std);
  const features = normal('f', [rows, hidden]) as tf.Tensor2D;
  const weights: HeadWeights = {
    policyW: normal('pw', [hidden, actions], 0.7) as tf.Tensor2D,
    policyB: normal('pb', [actions], 0.3) as tf.Tensor1D,
    valueW: normal('vw', [hidden, 1], 0.7) as tf.Tensor2D,
    valueB: normal('vb', [1], 0.3) as tf.Tensor1D,
  };
  const chosen = Array.from({ length: rows }, (_, i) => rng.child('a').child(i).int(actions));
  const actionsTensor = tf.tensor1d(chosen, 'float32');
  const logits = tf.add(tf.matMul(features, weights.policyW), weights.policyB);
  const current = tf.sum(tf.mul(tf.oneHot(tf.tensor1d(chosen, 'int32'), actions), tf.logSoftmax(logits)), -1);
  const targets = {
    actions: actionsTensor,
    oldLogProbs: tf.add(current, normal('old', [rows], 0.4)) as tf.Tensor1D,
    advantages: normal('adv', [rows]) as tf.Tensor1D,
    returns: normal('ret', [rows], 2) as tf.Tensor1D,
  };
  return { features, weights, targets };
}

/** The gradient of `loss` of the heads' outputs in the features and the heads' weights, and its sums. */
function gradients(c: ReturnType<typeof randomCase>, loss: (f: tf.Tensor, w: HeadWeights) => PpoRowLoss) {
  let sums: tf.Tensor | undefined;
  const xs = [c.features, c.weights.policyW, c.weights.policyB, c.weights.valueW, c.weights.valueB];
  const grads = tf.grads((f: tf.Tensor, pw: tf.Tensor, pb: tf.Tensor, vw: tf.Tensor, vb: tf.Tensor) => {
    const result = loss(f, { policyW: pw, policyB: pb, valueW: vw, valueB: vb } as HeadWeights);
    sums = result.sums;
    return result.total;
  })(xs);
  return { sums: sums!, grads };
}

describe.skipIf(!fusedPpoHeadLoss('auto'))(
  'ppoHeadLoss: the fused kernel against the composite reference',
  () => {
    for (const [rows, hidden, actions] of [
      [1, 1, 2],
      [13, 7, 3],
      [300, 64, 5],
    ] as const) {
      for (const heads of [
        { policy: true, value: true },
        { policy: true, value: false },
        { policy: false, value: true },
      ]) {
        it(`${rows} rows, ${hidden} features, ${actions} actions, heads ${JSON.stringify(heads)}: sums and every gradient within 1e-5`, () => {
          const c = randomCase(rows, hidden, actions, `head-loss-${rows}-${actions}`);
          const attrs = { ...SETTINGS, scale: 1 / rows, ...heads };
          const fused = gradients(c, (f, w) => ppoHeadLoss(f as tf.Tensor2D, w, c.targets, attrs));
          // The composite: the heads on tfjs ops, the loss's closed-form gradient carried through them.
          const reference = gradients(c, (f, w) =>
            ppoLossOfHeadOutputs(
              tf.add(tf.matMul(f as tf.Tensor2D, w.policyW), w.policyB),
              tf.reshape(tf.add(tf.matMul(f as tf.Tensor2D, w.valueW), w.valueB), [-1]) as tf.Tensor1D,
              c.targets,
              attrs,
            ),
          );
          expect(maxScaledError(fused.sums.dataSync(), reference.sums.dataSync())).toBeLessThan(1e-5);
          fused.grads.forEach((g, i) => {
            expect(
              maxScaledError(g.dataSync(), reference.grads[i]!.dataSync()),
              `gradient ${i}`,
            ).toBeLessThan(1e-5);
          });
        });
      }
    }
  },
);
