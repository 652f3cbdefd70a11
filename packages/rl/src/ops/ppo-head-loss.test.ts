import { maxScaledError, Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { ppoLossGradients } from '../agent/ppo.js';
import { fusedPpoHeadLoss, type HeadWeights, ppoHeadLoss } from './ppo-head-loss.js';

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

/** The composite: heads by tfjs ops, the loss's closed-form gradient carried through them by autodiff. */
function composite(c: ReturnType<typeof randomCase>, heads: { policy: boolean; value: boolean }) {
  const rows = c.features.shape[0];
  const headOutputs = (f: tf.Tensor, pw: tf.Tensor, pb: tf.Tensor, vw: tf.Tensor, vb: tf.Tensor) => ({
    logits: tf.add(tf.matMul(f as tf.Tensor2D, pw as tf.Tensor2D), pb) as tf.Tensor2D,
    values: tf.reshape(tf.add(tf.matMul(f as tf.Tensor2D, vw as tf.Tensor2D), vb), [-1]) as tf.Tensor1D,
  });
  const xs = [c.features, c.weights.policyW, c.weights.policyB, c.weights.valueW, c.weights.valueB] as const;
  const { logits, values } = headOutputs(...xs);
  const { actions, oldLogProbs, advantages, returns } = c.targets;
  const terms = ppoLossGradients(
    logits,
    values,
    actions,
    oldLogProbs,
    advantages,
    returns,
    SETTINGS,
    1 / rows,
  );
  // Constants: a loss whose gradient in logits and values is the closed form's, for the chosen heads.
  const dLogits = heads.policy ? terms.dLogits : tf.zerosLike(terms.dLogits);
  const dValues = heads.value ? tf.reshape(terms.dValues, [-1]) : tf.zerosLike(values);
  const grads = tf.grads((f: tf.Tensor, pw: tf.Tensor, pb: tf.Tensor, vw: tf.Tensor, vb: tf.Tensor) => {
    const outputs = headOutputs(f, pw, pb, vw, vb);
    return tf.add(tf.sum(tf.mul(outputs.logits, dLogits)), tf.sum(tf.mul(outputs.values, dValues)));
  })([...xs]);
  return { sums: tf.stack([terms.policySum, terms.valueSum, terms.entropySum]), grads };
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
          const reference = composite(c, heads);
          const xs = [c.features, c.weights.policyW, c.weights.policyB, c.weights.valueW, c.weights.valueB];
          let fusedSums: tf.Tensor | undefined;
          const fusedGrads = tf.grads(
            (f: tf.Tensor, pw: tf.Tensor, pb: tf.Tensor, vw: tf.Tensor, vb: tf.Tensor) => {
              const weights = { policyW: pw, policyB: pb, valueW: vw, valueB: vb } as HeadWeights;
              const { total, sums } = ppoHeadLoss(f as tf.Tensor2D, weights, c.targets, {
                ...SETTINGS,
                scale: 1 / rows,
                ...heads,
              });
              fusedSums = sums;
              return total;
            },
          )(xs);
          expect(maxScaledError(fusedSums!.dataSync(), reference.sums.dataSync())).toBeLessThan(1e-5);
          fusedGrads.forEach((g, i) => {
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
