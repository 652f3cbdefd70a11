import {
  activationStore,
  findWebGpuAdapter,
  fusedAgainstComposite,
  maxScaledError,
  Rng,
  resultsOnBackends,
} from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type GruWeights, gruSequence, LAYER_NORM_GAINS } from './gru-sequence.js';

/** The fused result's disagreement with the composite reference (see {@link maxScaledError}). */
function scaledError(a: tf.Tensor, b: tf.Tensor): number {
  return maxScaledError(a.dataSync(), b.dataSync());
}

interface Case {
  steps: number;
  batch: number;
  inputSize: number;
  hidden: number;
  embedding: number;
  /**
   * The weights' standard deviation (default 0.5). Over long sequences, weights as small as a
   * network's initialisation (1/√fan-in) keep the recurrence contracting; at 0.5 it is chaotic, and
   * float rounding alone separates any two implementations after some 30 steps.
   */
  weightStd?: number;
}

function randomCase(c: Case, seed: string) {
  const rng = new Rng(seed);
  const width = c.embedding || c.inputSize;
  const normal = (name: string, shape: number[], std = c.weightStd ?? 0.5) =>
    rng.child(name).normalTensor(shape, 0, std);
  const weights: Record<string, tf.Tensor> = {};
  for (const g of ['z', 'r', 'n']) {
    weights[`W${g}`] = normal(`W${g}`, [width, c.hidden]);
    weights[`U${g}`] = normal(`U${g}`, [c.hidden, c.hidden]);
    weights[`b${g}`] = normal(`b${g}`, [c.hidden]);
  }
  if (c.embedding) {
    weights.embedW = normal('embedW', [c.inputSize, c.embedding]);
    weights.embedB = normal('embedB', [c.embedding]);
  }
  return {
    inputs: normal('x', [c.steps, c.batch, c.inputSize], 1) as tf.Tensor3D,
    h0: normal('h0', [c.batch, c.hidden]) as tf.Tensor2D,
    weights,
    cotangent: normal('dy', [c.steps, c.batch, c.hidden], 1),
  };
}

function run(c: Case, kernels: 'fused' | 'composite') {
  const { inputs, h0, weights, cotangent } = randomCase(c, `gru-${c.steps}-${c.hidden}-${c.embedding}`);
  const names = Object.keys(weights);
  const xs = [inputs, h0, ...names.map((n) => weights[n]!)];
  let hidden: tf.Tensor | undefined;
  const grads = tf.grads((...args: tf.Tensor[]) => {
    const [x, h, ...ws] = args;
    const w = Object.fromEntries(names.map((n, i) => [n, ws[i]!])) as unknown as GruWeights;
    const out = gruSequence(x as tf.Tensor3D, h as tf.Tensor2D, w, kernels);
    hidden = tf.keep(out.clone());
    return tf.sum(tf.mul(out, cotangent)) as tf.Scalar;
  })(xs);
  return { hidden: hidden!, grads, dispose: () => tf.dispose([...xs, hidden!, ...grads, cotangent]) };
}

const noWebGpu = await findWebGpuAdapter().then(
  () => undefined,
  (error: Error) => error.message,
);

describe.skipIf(noWebGpu !== undefined)(
  `gruSequence on webgpu${noWebGpu ? ` (skipped: ${noWebGpu})` : ''}`,
  () => {
    it('the composite sequence and every gradient agree with cpu within 1e-5 (20 steps, 64 trials, embedding 16)', async () => {
      const c = { steps: 20, batch: 64, inputSize: 9, hidden: 32, embedding: 16 };
      const results = await resultsOnBackends(['cpu', 'webgpu'], () => {
        const r = run(c, 'composite');
        const all = [r.hidden, ...r.grads].map((t) => t.clone());
        r.dispose();
        return all;
      });
      results.webgpu!.forEach((values, i) => {
        expect(maxScaledError(values, results.cpu![i]!), `result ${i}`).toBeLessThan(1e-5);
      });
    });

    it.each([
      { steps: 100, batch: 128, inputSize: 8, hidden: 64, embedding: 0, weightStd: 0.125 },
      { steps: 1, batch: 1, inputSize: 1, hidden: 1, embedding: 0 },
      { steps: 5, batch: 1, inputSize: 8, hidden: 3, embedding: 0 },
      { steps: 6, batch: 3, inputSize: 9, hidden: 70, embedding: 7 },
      { steps: 3, batch: 9, inputSize: 5, hidden: 65, embedding: 33 },
    ])(
      'the WGSL kernels and every gradient agree with the composite within 1e-4 (T $steps, B $batch, I $inputSize, H $hidden, E $embedding)',
      async (c) => {
        const errors = await fusedAgainstComposite('webgpu', (kernels) => {
          const r = run(c, kernels);
          const all = [r.hidden, ...r.grads].map((t) => t.clone());
          r.dispose();
          return all;
        });
        for (const [i, error] of errors.entries()) expect(error, `result ${i}`).toBeLessThan(1e-4);
      },
    );
  },
);

describe('gruSequence: fused kernel against the composite reference', () => {
  const cases: Case[] = [
    { steps: 1, batch: 1, inputSize: 1, hidden: 1, embedding: 0 },
    { steps: 5, batch: 7, inputSize: 8, hidden: 3, embedding: 0 },
    { steps: 6, batch: 3, inputSize: 9, hidden: 20, embedding: 7 },
    { steps: 4, batch: 130, inputSize: 14, hidden: 64, embedding: 0 },
    { steps: 3, batch: 9, inputSize: 5, hidden: 64, embedding: 33 },
  ];
  it.each(cases)(
    'hidden states and every gradient agree within 1e-5 (T $steps, B $batch, I $inputSize, H $hidden, E $embedding)',
    (c) => {
      const fused = run(c, 'fused');
      const composite = run(c, 'composite');
      expect(scaledError(fused.hidden, composite.hidden)).toBeLessThan(1e-5);
      for (const [i, g] of fused.grads.entries())
        expect(scaledError(g, composite.grads[i]!)).toBeLessThan(1e-5);
      fused.dispose();
      composite.dispose();
    },
  );
});

describe('gruSequence: non-finite inputs and resources', () => {
  it('NaN and ±Inf in the inputs reach the same hidden states as in the composite', () => {
    const c = { steps: 3, batch: 4, inputSize: 5, hidden: 6, embedding: 0 };
    const run = (kernels: 'fused' | 'composite') => {
      const { inputs, h0, weights, cotangent } = randomCase(c, 'gru-non-finite');
      const values = inputs.arraySync();
      values[0]![1]![2] = Number.NaN;
      values[1]![2]![0] = Number.POSITIVE_INFINITY;
      values[2]![3]![4] = Number.NEGATIVE_INFINITY;
      const poisoned = tf.tensor3d(values);
      const out = gruSequence(poisoned, h0, weights as unknown as GruWeights, kernels);
      const hidden = Array.from(out.dataSync());
      tf.dispose([inputs, poisoned, h0, out, cotangent, ...Object.values(weights)]);
      return hidden;
    };
    const fused = run('fused');
    const composite = run('composite');
    fused.forEach((v, j) => {
      const reference = composite[j]!;
      expect(Number.isNaN(v), `hidden[${j}]`).toBe(Number.isNaN(reference));
      if (Number.isFinite(reference)) expect(Math.abs(v - reference)).toBeLessThan(1e-5);
    });
    expect(fused.some(Number.isNaN)).toBe(true);
  });

  it('a recorded sequence keeps one snapshot until its gradient reads it', () => {
    const c = { steps: 4, batch: 3, inputSize: 5, hidden: 7, embedding: 0 };
    const { inputs, h0, weights, cotangent } = randomCase(c, 'gru-snapshot');
    const before = tf.memory().numTensors;
    const w = weights as unknown as GruWeights;
    const plain = gruSequence(inputs, h0, w, 'fused');
    expect(activationStore.bytes).toBe(0);
    const grads = tf.grads((x: tf.Tensor) =>
      tf.sum(tf.mul(gruSequence(x as tf.Tensor3D, h0, w, 'fused'), cotangent)),
    )([inputs]);
    expect(activationStore.bytes).toBe(0);
    tf.dispose([plain, ...grads]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([inputs, h0, cotangent, ...Object.values(weights)]);
  });
});

describe('the layer-normalised GRU cell with a ReLU candidate', () => {
  const [B, I, H] = [2, 3, 4];
  const rng = new Rng('layer-norm-cell');
  const values = (name: string, n: number) => {
    const stream = rng.child(name);
    return Array.from({ length: n }, () => stream.normal());
  };
  const data = {
    x: values('x', B * I),
    h: values('h', B * H),
    ...Object.fromEntries(
      ['z', 'r', 'n'].flatMap((g) => [
        [`W${g}`, values(`W${g}`, I * H)],
        [`U${g}`, values(`U${g}`, H * H)],
        [`b${g}`, values(`b${g}`, H)],
        [`gx${g}`, values(`gx${g}`, H)],
        [`gh${g}`, values(`gh${g}`, H)],
      ]),
    ),
  } as Record<string, number[]>;

  /** The cell's one step in plain arithmetic: the reference for the tfjs ops. */
  function referenceStep(): number[] {
    const product = (row: number[], w: number[], cols: number) =>
      Array.from({ length: cols }, (_, j) => row.reduce((sum, v, k) => sum + v * w[k * cols + j]!, 0));
    const normalise = (v: number[]) => {
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
      return v.map((u) => (u - mean) / Math.sqrt(variance + 1e-5));
    };
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const out: number[] = [];
    for (let b = 0; b < B; b++) {
      const x = data.x!.slice(b * I, (b + 1) * I);
      const h = data.h!.slice(b * H, (b + 1) * H);
      const pre = (g: string, recurrent: number[]) => {
        const xw = normalise(product(x, data[`W${g}`]!, H));
        const hu = normalise(product(recurrent, data[`U${g}`]!, H));
        return xw.map((v, j) => data[`gx${g}`]![j]! * v + data[`gh${g}`]![j]! * hu[j]! + data[`b${g}`]![j]!);
      };
      const z = pre('z', h).map(sigmoid);
      const r = pre('r', h).map(sigmoid);
      const n = pre(
        'n',
        h.map((v, j) => r[j]! * v),
      ).map((v) => Math.max(0, v));
      out.push(...h.map((v, j) => v + z[j]! * (n[j]! - v)));
    }
    return out;
  }

  function weights(): GruWeights {
    const t = (name: string, shape: number[]) => tf.tensor(data[name]!, shape);
    const w: Record<string, tf.Tensor> = {};
    for (const g of ['z', 'r', 'n']) {
      w[`W${g}`] = t(`W${g}`, [I, H]);
      w[`U${g}`] = t(`U${g}`, [H, H]);
      w[`b${g}`] = t(`b${g}`, [H]);
    }
    const layerNorm = Object.fromEntries(LAYER_NORM_GAINS.map((gain) => [gain, t(gain, [H])]));
    return { ...w, layerNorm } as unknown as GruWeights;
  }

  it('agrees with the cell written in plain arithmetic', () => {
    const w = weights();
    const hidden = gruSequence(tf.tensor3d(data.x!, [1, B, I]), tf.tensor2d(data.h!, [B, H]), w);
    const expected = referenceStep();
    for (const [i, v] of hidden.dataSync().entries()) expect(v).toBeCloseTo(expected[i]!, 5);
  });

  it('has no fused kernel: asking for one names the setting', () => {
    const inputs = tf.tensor3d(data.x!, [1, B, I]);
    expect(() => gruSequence(inputs, tf.tensor2d(data.h!, [B, H]), weights(), 'fused')).toThrow(
      /invalid kernels: "fused".*no fused kernel/,
    );
  });
});
