import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { GruPolicy } from './gru-policy.js';
import { type PpoMinibatch, ppoTrialLosses } from './ppo.js';
import { ppoGradients } from './ppo-gradients.js';

/** Runs `f` with the policy's GRU on the composite tfjs ops: the autodiff reference. */
function composite<T>(policy: GruPolicy, f: () => T): T {
  policy.kernels = 'composite';
  try {
    return f();
  } finally {
    policy.kernels = 'auto';
  }
}

/** ‖a − b‖ / ‖b‖. */
function relativeError(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.norm(tf.sub(a, b)).dataSync()[0]! / Math.max(1e-12, tf.norm(b).dataSync()[0]!));
}

describe.each([
  ['no input embedding', {}],
  ['an input embedding of 5 units', { embedding: 5 }],
  ['an embedding and a slot memory', { embedding: 5, memory: { slots: 4, heads: 2, width: 3 } }],
] as const)(
  'PPO gradient through the fused GRU op against autodiff of the composite one (%s)',
  (_, network) => {
    const steps = 7;
    const batch = 5;
    const shape = { inputSize: 4, hidden: 6, actions: 3, ...network };
    const settings = { clip: 0.2, valueCoefficient: 0.5, entropyCoefficient: 0.05 };
    const rng = new Rng('bptt');
    const policy = new GruPolicy(shape, rng.child('weights'));
    // Larger head weights than the default initialisation, so every term has a sizeable gradient.
    tf.tidy(() => {
      policy.weights.policyW!.assign(rng.child('p').normalTensor([policy.featureSize, shape.actions]));
      policy.weights.valueW!.assign(rng.child('v').normalTensor([policy.featureSize, 1]));
    });
    const perStep = (name: string, make: (r: Rng) => tf.Tensor) =>
      Array.from({ length: steps }, (_, t) => make(rng.child(name).child(t)));
    const inputs = perStep('x', (r) => r.normalTensor([batch, shape.inputSize])) as tf.Tensor2D[];
    const logits = policy.unroll(inputs).logits;
    const actions = perStep('a', (r) =>
      tf.tensor1d(
        Array.from({ length: batch }, () => r.int(3)),
        'int32',
      ),
    );
    // Old log-probabilities = current ones plus noise, so some ratios fall outside 1 ± ε.
    const oldLogProbs = actions.map((a, t) =>
      tf.tidy(() =>
        tf.add(
          tf.sum(tf.mul(tf.oneHot(a, shape.actions), tf.logSoftmax(logits[t]!)), -1),
          rng.child('old').child(t).normalTensor([batch], 0, 0.4),
        ),
      ),
    );
    const flat = (ts: tf.Tensor[]) => tf.concat(ts) as tf.Tensor1D;
    const minibatch: PpoMinibatch = {
      inputs: tf.stack(inputs) as tf.Tensor3D,
      actions: flat(actions.map((a) => a.asType('float32'))),
      oldLogProbs: flat(oldLogProbs),
      advantages: flat(perStep('adv', (r) => r.normalTensor([batch]))),
      returns: flat(perStep('ret', (r) => r.normalTensor([batch], 1, 2))),
    };

    it('clips some ratios in this fixture (both branches of the surrogate are exercised)', () => {
      const ratios = logits.flatMap((l, t) =>
        Array.from(
          tf
            .exp(tf.sub(tf.sum(tf.mul(tf.oneHot(actions[t]!, 3), tf.logSoftmax(l)), -1), oldLogProbs[t]!))
            .dataSync(),
        ),
      );
      expect(ratios.filter((r) => Math.abs(r - 1) > settings.clip).length).toBeGreaterThan(5);
      expect(ratios.filter((r) => Math.abs(r - 1) < settings.clip).length).toBeGreaterThan(5);
    });

    it('matches tfjs autodiff of the same losses in every weight (relative error < 1e-4)', () => {
      const reference = composite(policy, () =>
        tf.variableGrads(() => ppoTrialLosses(policy, minibatch, settings).total, policy.variables),
      );
      const ours = ppoGradients(policy, minibatch, settings);
      expect(ours.total.dataSync()[0]).toBeCloseTo(reference.value.dataSync()[0]!, 5);
      for (const v of policy.variables) {
        expect(relativeError(ours.grads[v.name]!, reference.grads[v.name]!), v.name).toBeLessThan(1e-4);
      }
    });

    it("with one head, matches autodiff of that head's terms alone, with zero for the other head", () => {
      const cases = [
        {
          heads: { policy: true, value: false },
          loss: () => ppoTrialLosses(policy, minibatch, { ...settings, valueCoefficient: 0 }).total,
          absent: ['valueW', 'valueB'],
        },
        {
          heads: { policy: false, value: true },
          loss: () => tf.mul(ppoTrialLosses(policy, minibatch, settings).value, settings.valueCoefficient),
          absent: ['policyW', 'policyB'],
        },
      ];
      for (const { heads, loss, absent } of cases) {
        const trained = policy.variables.filter((_, i) => !absent.includes(policy.weightNames[i]!));
        const reference = composite(policy, () => tf.variableGrads(loss as () => tf.Scalar, trained));
        const ours = ppoGradients(policy, minibatch, settings, heads);
        policy.variables.forEach((v, i) => {
          if (absent.includes(policy.weightNames[i]!)) {
            expect(tf.abs(ours.grads[v.name]!).max().dataSync()[0], v.name).toBe(0);
          } else {
            expect(relativeError(ours.grads[v.name]!, reference.grads[v.name]!), v.name).toBeLessThan(1e-4);
          }
        });
      }
    });

    it('reports the same loss terms as ppoTrialLosses', () => {
      const reference = composite(policy, () => ppoTrialLosses(policy, minibatch, settings));
      const ours = ppoGradients(policy, minibatch, settings);
      for (const term of ['policy', 'value', 'entropy'] as const) {
        expect(ours[term].dataSync()[0]).toBeCloseTo(reference[term].dataSync()[0]!, 5);
      }
    });
  },
);
