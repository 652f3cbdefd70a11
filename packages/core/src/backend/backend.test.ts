import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../validation/config-error.js';
import { BackendUnavailableError, listBackends, useBackend } from './backend.js';

const initial = tf.getBackend();

describe('backend resolution', () => {
  afterAll(async () => {
    await useBackend(initial);
  });

  it('loads wasm and cpu, and computes the same matmul on both', async () => {
    const a = [
      [1, 2],
      [3, 4],
    ];
    const results: number[][] = [];
    for (const name of ['wasm', 'cpu'] as const) {
      const r = await useBackend(name);
      expect(r).toMatchObject({ requested: name, name, tfBackend: name, skipped: [] });
      results.push(Array.from(tf.matMul(a, a).dataSync()));
    }
    expect(results[0]).toEqual([7, 10, 15, 22]);
    expect(results[1]).toEqual(results[0]);
  });

  it('rejects an unknown name with an error naming the field and value', async () => {
    await expect(useBackend('metal')).rejects.toThrow(ConfigError);
    await expect(useBackend('metal')).rejects.toThrow(
      /invalid backend: "metal" \(expected one of wasm, cpu, tensorflow, cuda, webgpu, auto\)/,
    );
  });

  it('lists every backend with availability and a reason', async () => {
    const list = await listBackends();
    expect(list.map((b) => b.name)).toEqual(['wasm', 'cpu', 'tensorflow', 'cuda', 'webgpu']);
    expect(list.filter((b) => b.available).map((b) => b.name)).toEqual(
      expect.arrayContaining(['wasm', 'cpu']),
    );
    for (const b of list) expect(b.detail.length).toBeGreaterThan(0);
  });

  it('explains in one line why a native backend is unavailable, and auto falls back', async () => {
    const list = await listBackends();
    const cuda = list.find((b) => b.name === 'cuda')!;
    if (cuda.available) return; // a machine with libtensorflow + CUDA: nothing to explain
    const error = await useBackend('cuda').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const message = (error as Error).message;
    expect(message).toContain('@tensorflow/tfjs-node-gpu');
    expect(message).toContain('CUDA 11.2 + cuDNN 8.1');
    expect(message).not.toContain('\n');
    const auto = await useBackend('auto');
    expect(auto.skipped.map((s) => s.name)).toContain('cuda');
    expect(auto.skipped.every((s) => s.reason.length > 0)).toBe(true);
  });
});
