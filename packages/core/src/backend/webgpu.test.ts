import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { gumbelSoftmax } from '../gumbel/gumbel-softmax.js';
import { maxScaledError } from '../kernels/kernel-agreement.js';
import { Rng } from '../random/rng.js';
import { useBackend } from './backend.js';
import { readTensors } from './read-tensors.js';
import { resultsOnBackends } from './results-on-backends.js';
import { findWebGpuAdapter } from './webgpu-adapter.js';
import { WEBGPU_SYNC_READS } from './webgpu-sync-reads.js';

const initial = tf.getBackend();
const adapter = await findWebGpuAdapter().catch((error: Error) => error);
const unavailable = adapter instanceof Error ? adapter.message : undefined;
// Said on stderr as well as in the skipped test's name, so a CI log shows it.
if (unavailable) console.warn(`webgpu tests skipped: ${unavailable}`);

/** `f` run on cpu and on webgpu. */
async function onBoth(f: () => tf.Tensor | tf.Tensor[]) {
  const { cpu, webgpu } = await resultsOnBackends(['cpu', 'webgpu'], f);
  return { cpu: cpu!, webgpu: webgpu! };
}

function expectClose(a: Float32Array[], b: Float32Array[], tolerance: number): void {
  expect(a.map((x) => x.length)).toEqual(b.map((x) => x.length));
  for (const [i, values] of a.entries())
    expect(maxScaledError(values, b[i]!), `result ${i}`).toBeLessThan(tolerance);
}

describe.skipIf(unavailable !== undefined)(
  unavailable
    ? `webgpu (skipped: ${unavailable})`
    : `webgpu on a ${adapter instanceof Error ? '' : `${adapter.kind} adapter, ${adapter.description}`}`,
  () => {
    afterAll(async () => {
      await useBackend(initial);
    });

    it('runs a 256 × 256 matMul and its gradient as cpu does (scaled error < 1e-5)', async () => {
      const rng = new Rng('webgpu-matmul');
      const a = rng.uniformArray(256 * 256);
      const b = rng.uniformArray(256 * 256);
      const f = () => {
        const x = tf.tensor2d(a, [256, 256]);
        const y = tf.tensor2d(b, [256, 256]);
        const grad = tf.grad((z: tf.Tensor) => tf.sum(tf.tanh(tf.matMul(z, y).div(64))))(x);
        return [tf.matMul(x, y), grad];
      };
      const { cpu, webgpu } = await onBoth(f);
      expectClose(webgpu, cpu, 1e-5);
    });

    it('draws the same Gumbel-softmax samples from a seed, with the same gradient', async () => {
      const logits = new Rng('webgpu-logits').uniformArray(64 * 10).map((u) => 4 * u - 2);
      const f = () => {
        const x = tf.tensor2d(logits, [64, 10]);
        const weights = tf.range(0, 10).reshape([1, 10]);
        const sample = () => gumbelSoftmax(x, { temperature: 0.5, seed: new Rng('noise') });
        const grad = tf.grad((z: tf.Tensor) =>
          tf.sum(tf.mul(gumbelSoftmax(z, { temperature: 0.5, seed: new Rng('noise') }), weights)),
        )(x);
        return [sample(), grad];
      };
      const { cpu, webgpu } = await onBoth(f);
      expectClose(webgpu, cpu, 1e-5);
    });

    it('says why a synchronous read fails, and readTensors reads in one transfer', async () => {
      await useBackend('webgpu');
      const onGpu = tf.matMul(tf.ones([32, 32]), tf.ones([32, 32]));
      const actions = tf.tensor1d([3, 1, 4], 'int32');
      expect(() => onGpu.dataSync()).toThrow(WEBGPU_SYNC_READS);
      const [product, ints] = await readTensors([onGpu, actions]);
      expect(product!.every((v) => v === 32)).toBe(true);
      expect(Array.from(ints!)).toEqual([3, 1, 4]);
      tf.dispose([onGpu, actions]);
    });

    it('a rejected GPU operation fails the next read with the reason and the size, once', async () => {
      await useBackend('webgpu');
      // 240 MB in one binding: past the 128 MiB every WebGPU device allows unless it asks for more.
      const big = tf.add(tf.zeros([60_000_000]), 1);
      await expect(readTensors([big])).rejects.toThrow(
        /^a GPU operation failed: Binding size \(240000000\).*larger than the maximum/,
      );
      big.dispose();
      const small = tf.add(tf.ones([2]), 1);
      expect(Array.from((await readTensors([small]))[0]!)).toEqual([2, 2]);
      small.dispose();
    });

    it('auto uses webgpu only on a hardware adapter', async () => {
      const auto = await useBackend('auto');
      if (adapter instanceof Error) return;
      if (adapter.kind === 'hardware') expect(auto.name === 'cuda' || auto.name === 'webgpu').toBe(true);
      else expect(auto.skipped.find((s) => s.name === 'webgpu')?.reason).toMatch(/software adapter/);
    });
  },
);
