import {
  activationStore,
  findWebGpuAdapter,
  fusedAgainstComposite,
  maxScaledError,
  Rng,
  recurrentKernels,
  resultsOnBackends,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { LstmState } from '../learned/coordinatewise-lstm.js';
import { DEFAULT_LSTM_CONFIG, LstmOptimizer } from '../learned/lstm-optimizer.js';
import { disposeInnerRun, metaGradient, startInnerRun } from '../meta/meta-gradient.js';
import { QuadraticFamily } from '../tasks/quadratic.js';
import { type LstmOptimizerWeights, lstmOptimizerStep } from './lstm-optimizer-step.js';

/** The fused result's disagreement with the composite reference (see {@link maxScaledError}). */
function scaledError(a: tf.Tensor, b: tf.Tensor): number {
  return maxScaledError(a.dataSync(), b.dataSync());
}

interface Case {
  n: number;
  layers: number[];
  outputs: number;
}

function randomInputs({ n, layers, outputs }: Case, seed: string) {
  const rng = new Rng(seed);
  // Gradients over many scales, some below e^−k, so both LogAndSign branches are exercised.
  const magnitudes = rng.child('mag').uniform([1, n]);
  const gradient = tf.tidy(() =>
    tf.mul(rng.child('g').normalTensor([1, n]), tf.pow(10, tf.mul(magnitudes, -8))),
  ) as tf.Tensor2D;
  const state: LstmState = {
    h: layers.map((u, l) => rng.child(`h${l}`).normalTensor([u, n], 0, 0.5) as tf.Tensor2D),
    c: layers.map((u, l) => rng.child(`c${l}`).normalTensor([u, n], 0, 1) as tf.Tensor2D),
  };
  let inputSize = 2;
  const weights: LstmOptimizerWeights = {
    kernels: layers.map((u, l) => {
      const kernel = rng.child(`k${l}`).normalTensor([4 * u, inputSize + u + 1], 0, 0.5) as tf.Tensor2D;
      inputSize = u;
      return kernel;
    }),
    headW: rng.child('hw').normalTensor([outputs, inputSize], 0, 0.5) as tf.Tensor2D,
    headB: rng.child('hb').normalTensor([outputs, 1], 0, 0.5) as tf.Tensor2D,
  };
  // Random cotangents for every output, so every gradient path is weighted.
  const cotangents = {
    output: rng.child('do').normalTensor([outputs, n]),
    h: layers.map((u, l) => rng.child(`dh${l}`).normalTensor([u, n])),
    c: layers.map((u, l) => rng.child(`dc${l}`).normalTensor([u, n])),
  };
  return { gradient, state, weights, cotangents };
}

function run(c: Case, kernels: 'fused' | 'composite', seed: string) {
  const { gradient, state, weights, cotangents } = randomInputs(c, seed);
  const xs = [gradient, ...state.h, ...state.c, ...weights.kernels, weights.headW, weights.headB];
  let outputs: tf.Tensor[] = [];
  const grads = tf.grads((...args: tf.Tensor[]) => {
    const [g, ...rest] = args as tf.Tensor2D[];
    const l = c.layers.length;
    const out = lstmOptimizerStep(
      g!,
      { h: rest.slice(0, l), c: rest.slice(l, 2 * l) },
      { kernels: rest.slice(2 * l, 3 * l), headW: rest[3 * l]!, headB: rest[3 * l + 1]! },
      10,
      kernels,
    );
    outputs = [out.output, ...out.state.h, ...out.state.c].map((t) => tf.keep(t.clone()));
    const terms = [
      tf.sum(tf.mul(out.output, cotangents.output)),
      ...out.state.h.map((h, i) => tf.sum(tf.mul(h, cotangents.h[i]!))),
      ...out.state.c.map((cc, i) => tf.sum(tf.mul(cc, cotangents.c[i]!))),
    ];
    return tf.addN(terms) as tf.Scalar;
  })(xs);
  return {
    outputs,
    grads,
    dispose: () => tf.dispose([...xs, ...outputs, ...grads, ...Object.values(cotangents).flat()]),
  };
}

describe('lstmOptimizerStep: fused kernel against the composite reference', () => {
  const cases: Case[] = [
    { n: 1, layers: [1], outputs: 1 },
    { n: 7, layers: [3, 20], outputs: 1 },
    { n: 130, layers: [20, 20], outputs: 13 },
    { n: 130, layers: [64], outputs: 1 },
  ];
  it.each(cases)(
    'outputs, states and every gradient agree within 1e-5 (N = $n, layers $layers, K = $outputs)',
    (c) => {
      const fused = run(c, 'fused', `case-${c.n}`);
      const composite = run(c, 'composite', `case-${c.n}`);
      for (const [i, t] of fused.outputs.entries())
        expect(scaledError(t, composite.outputs[i]!)).toBeLessThan(1e-5);
      for (const [i, t] of fused.grads.entries())
        expect(scaledError(t, composite.grads[i]!)).toBeLessThan(1e-5);
      fused.dispose();
      composite.dispose();
    },
  );
});

const noWebGpu = await findWebGpuAdapter().then(
  () => undefined,
  (error: Error) => error.message,
);

describe.skipIf(noWebGpu !== undefined)(
  `lstmOptimizerStep on webgpu${noWebGpu ? ` (skipped: ${noWebGpu})` : ''}`,
  () => {
    it('the composite step and every gradient agree with cpu within 1e-5 (N = 130, layers 20, 20)', async () => {
      const c = { n: 130, layers: [20, 20], outputs: 1 };
      const results = await resultsOnBackends(['cpu', 'webgpu'], () => {
        const r = run(c, 'composite', 'webgpu');
        const all = [...r.outputs, ...r.grads].map((t) => t.clone());
        r.dispose();
        return all;
      });
      results.webgpu!.forEach((values, i) => {
        expect(maxScaledError(values, results.cpu![i]!), `result ${i}`).toBeLessThan(1e-5);
      });
    });

    it.each([
      { n: 1280, layers: [20, 20], outputs: 1 },
      { n: 1, layers: [1], outputs: 1 },
      { n: 7, layers: [3, 21], outputs: 1 },
      { n: 130, layers: [20, 20], outputs: 13 },
      { n: 65, layers: [66], outputs: 2 },
    ])(
      'the WGSL kernels, states and every gradient agree with the composite within 1e-4 (N = $n, layers $layers, K = $outputs)',
      async (c) => {
        const errors = await fusedAgainstComposite('webgpu', (kernels) => {
          const r = run(c, kernels, `webgpu-${c.n}`);
          const all = [...r.outputs, ...r.grads].map((t) => t.clone());
          r.dispose();
          return all;
        });
        for (const [i, error] of errors.entries()) expect(error, `result ${i}`).toBeLessThan(1e-4);
      },
    );
  },
);

describe('lstmOptimizerStep: non-finite inputs and resources', () => {
  it('NaN and ±Inf in the gradient reach the same outputs as in the composite', () => {
    const c = { n: 9, layers: [4, 3], outputs: 2 };
    const run = (kernels: 'fused' | 'composite') => {
      const { gradient, state, weights } = randomInputs(c, 'non-finite');
      const poisoned = tf.tensor2d([
        [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, 1e-9, -2, 3, 0.5, -1e-3],
      ]);
      const out = lstmOptimizerStep(poisoned, state, weights, 10, kernels);
      const values = [out.output, ...out.state.h, ...out.state.c].map((t) => Array.from(t.dataSync()));
      tf.dispose([gradient, poisoned, out.output, ...out.state.h, ...out.state.c, ...state.h, ...state.c]);
      tf.dispose([...weights.kernels, weights.headW, weights.headB]);
      return values;
    };
    const fused = run('fused');
    const composite = run('composite');
    fused.forEach((values, i) => {
      values.forEach((v, j) => {
        const reference = composite[i]![j]!;
        expect(Number.isNaN(v), `output ${i}[${j}]`).toBe(Number.isNaN(reference));
        if (Number.isFinite(reference))
          expect(Math.abs(v - reference)).toBeLessThan(1e-5 * Math.max(1, Math.abs(reference)));
        else if (!Number.isNaN(reference)) expect(v).toBe(reference);
      });
    });
    expect(fused.flat().some(Number.isNaN)).toBe(true);
  });

  it('50 fused meta-steps leave no tensors, no snapshots and no growth of kernel memory behind', () => {
    const optimizer = new LstmOptimizer(DEFAULT_LSTM_CONFIG, new Rng('leak'));
    optimizer.kernels = 'fused';
    const task = new QuadraticFamily().sample(new Rng('leak-task'), 16);
    const before = tf.memory().numTensors;
    let run = startInnerRun(task, optimizer);
    let memoryAfterFirst = 0;
    for (let i = 0; i < 50; i++) {
      const result = metaGradient(optimizer, run, { unroll: 4, noiseFor: (s) => new Rng(s), metaStep: i });
      tf.dispose([result.metaLoss, ...result.gradients]);
      disposeInnerRun(run);
      run = result.next;
      if (i === 0) memoryAfterFirst = recurrentKernels().memoryBytes;
    }
    disposeInnerRun(run);
    expect(tf.memory().numTensors).toBe(before);
    expect(activationStore.bytes).toBe(0);
    expect(recurrentKernels().memoryBytes).toBe(memoryAfterFirst);
    task.dispose();
    optimizer.dispose();
  });
});
