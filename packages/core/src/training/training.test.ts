import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskWriteError } from '../io/durable-write.js';
import { FaultyFileSystem, useFileSystem } from '../io/file-system.js';
import { Rng } from '../random/rng.js';
import { adamFromValues, adamStep, adamValues, disposeAdam, initAdam } from './adam-state.js';
import { CheckpointStore } from './checkpoint-store.js';
import { clipAndApply } from './clip-and-apply.js';
import { initializers, ParameterStore } from './parameter-store.js';

const dir = () => mkdtempSync(join(tmpdir(), 'metagrad-ckpt-'));
const weights = (x: number) => [{ name: 'w', shape: [2], values: new Float32Array([x, -x]) }];
let restore: (() => void) | undefined;
afterEach(() => {
  restore?.();
  restore = undefined;
});

describe('CheckpointStore', () => {
  it('writes, verifies, reads back and keeps the newest K', () => {
    const store = new CheckpointStore(dir(), { kind: 'test', keep: 2 });
    for (const step of [1, 2, 3])
      store.write({ step, state: { best: step / 10 }, tensors: { weights: weights(step) } });
    expect(store.list().map((p) => p.slice(-20))).toEqual(['step-0000000002.json', 'step-0000000003.json']);
    const latest = store.latest()!;
    expect(latest.data.step).toBe(3);
    expect(latest.data.state).toEqual({ best: 0.3 });
    expect(Array.from(latest.data.tensors.weights![0]!.values)).toEqual([3, -3]);
    expect(latest.rejected).toEqual([]);
  });

  it('falls back to the newest valid checkpoint and says which files it skipped', () => {
    const store = new CheckpointStore(dir(), { kind: 'test', keep: 3 });
    store.write({ step: 1, state: { best: 0.5 }, tensors: { weights: weights(1) } });
    const second = store.write({ step: 2, state: { best: 0.5 }, tensors: { weights: weights(2) } });
    const third = store.write({ step: 3, state: { best: 0.5 }, tensors: { weights: weights(3) } });
    writeFileSync(third, readFileSync(third, 'utf8').slice(0, 50)); // torn
    writeFileSync(second, readFileSync(second, 'utf8').replace('"best":0.5', '"best":0.6')); // altered
    const latest = store.latest()!;
    expect(latest.data.step).toBe(1);
    expect(latest.rejected.map((r) => r.path)).toEqual([third, second]);
    expect(latest.rejected[1]!.problem).toMatch(/checksum mismatch/);
  });

  it('rejects a checkpoint of another kind', () => {
    const d = dir();
    new CheckpointStore(d, { kind: 'l2l', keep: 1 }).write({ step: 1, state: {}, tensors: {} });
    expect(() =>
      new CheckpointStore(d, { kind: 'rl2', keep: 1 }).read(
        new CheckpointStore(d, { kind: 'l2l', keep: 1 }).list()[0]!,
      ),
    ).toThrow(/a l2l checkpoint, not rl2/);
  });

  it('leaves the previous checkpoint newest when the disk fills during a write', () => {
    const store = new CheckpointStore(dir(), { kind: 'test', keep: 1 });
    store.write({ step: 1, state: {}, tensors: { weights: weights(1) } });
    restore = useFileSystem(new FaultyFileSystem(1, 'short'));
    expect(() => store.write({ step: 2, state: {}, tensors: { weights: weights(2) } })).toThrow(
      DiskWriteError,
    );
    restore();
    restore = undefined;
    expect(store.list()).toHaveLength(1);
    expect(store.latest()!.data.step).toBe(1);
  });
});

describe('Adam and clipAndApply', () => {
  it('matches the closed form of the first Adam step and restores its state exactly', async () => {
    const p = tf.variable(tf.tensor1d([1, 2]));
    let adam = initAdam([p]);
    const { updates, state } = adamStep(adam, [tf.tensor1d([0.5, -2])], { learningRate: 0.1 });
    // First step: m̂ = g, v̂ = g², so Δ = −α·g/(|g| + ε) = −α·sign(g).
    expect(Array.from(updates[0]!.dataSync())).toEqual([expect.closeTo(-0.1, 6), expect.closeTo(0.1, 6)]);
    disposeAdam(adam);
    adam = state;
    const values = await adamValues(adam, ['p']);
    const back = adamFromValues(adam.step, values, [p], ['p']);
    expect(await adamValues(back, ['p'])).toEqual(values);
    tf.dispose([...updates, p]);
    disposeAdam(adam);
    disposeAdam(back);
  });

  it('clips to the global norm, and skips non-finite gradients and non-finite results', async () => {
    const before = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.tensor1d([0, 0])));
    let adam = initAdam([w]);
    const r1 = await clipAndApply(
      [{ variables: [w], gradients: [tf.tensor1d([3, 4])] }],
      adam,
      { learningRate: 0.1 },
      1,
    );
    expect(r1.applied).toBe(true);
    expect(r1.norms[0]).toBeCloseTo(5, 6);
    adam = r1.adam;
    const after1 = Array.from(w.dataSync());
    const r2 = await clipAndApply(
      [{ variables: [w], gradients: [tf.tensor1d([Number.NaN, 1])] }],
      adam,
      { learningRate: 0.1 },
      1,
    );
    expect(r2).toMatchObject({ applied: false, skipped: 'non-finite-gradient' });
    const r3 = await clipAndApply(
      [{ variables: [w], gradients: [tf.tensor1d([1, 1])] }],
      adam,
      { learningRate: 1e39 },
      1,
    );
    expect(r3).toMatchObject({ applied: false, skipped: 'non-finite-weights' });
    expect(Array.from(w.dataSync())).toEqual(after1);
    expect(r3.adam.step).toBe(1);
    disposeAdam(r3.adam);
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('ParameterStore', () => {
  it('creates named weights with their initialisers and round-trips them as plain data', async () => {
    const before = tf.memory().numTensors;
    const params = new ParameterStore('test-net');
    const w = params.add('w', initializers.glorotUniform([30, 50], new Rng(1).child('w')));
    params.add('b', initializers.zeros([50]));
    const limit = Math.sqrt(6 / 80);
    const values = Array.from(w.dataSync());
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(limit);
    // 1,500 uniforms on [−l, l]: all in the inner half is (1/2)^1500.
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(limit / 2);
    const saved = await params.values();
    expect(saved.map((v) => v.name)).toEqual(['w', 'b']);
    params.assign(saved.map((v) => ({ ...v, values: v.values.map((x) => x + 1) })));
    expect(params.get('b').dataSync()[0]).toBe(1);
    expect(() => params.assign([saved[0]!])).toThrow(/missing weight b/);
    expect(() =>
      params.assign([saved[0]!, { name: 'b', shape: [49], values: new Float32Array(49) }]),
    ).toThrow(/weight b has shape \[49\]/);
    params.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
