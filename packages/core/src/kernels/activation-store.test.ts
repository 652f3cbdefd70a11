import { describe, expect, it } from 'vitest';
import { ActivationStore } from './activation-store.js';
import { recurrentKernels } from './recurrent-kernels.js';

const kernels = recurrentKernels();

/** Runs a forward op's part: resets the arena, writes `values` at its start and keeps them. */
function forwardOp(store: ActivationStore, values: number[], before = 0): { id: number; start: number } {
  kernels.reset();
  if (before > 0) kernels.alloc(before);
  const start = kernels.alloc(values.length);
  kernels.view(start, values.length).set(values);
  // The op's outputs lie above its snapshot and are overwritten by later ops.
  const output = kernels.alloc(8);
  kernels.view(output, 8).fill(-1);
  return { id: store.keep(kernels, start, start + values.length * 4), start };
}

/** Runs an adjoint's part: reopens, resets, lays out the same buffer and restores into it. */
function adjointOp(store: ActivationStore, id: number, length: number, before = 0) {
  store.reopen(kernels, id);
  kernels.reset();
  if (before > 0) kernels.alloc(before);
  const at = kernels.alloc(length);
  const target = kernels.view(at, length);
  store.restore(id, target);
  return { at, values: Array.from(kernels.view(at, length)) };
}

const ramp = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);

describe('activation snapshots held in kernel memory', () => {
  it('a backward pass in reverse finds each snapshot where its forward left it', () => {
    const store = new ActivationStore();
    const base = kernels.arenaStart;
    const a = forwardOp(store, ramp(100, 0));
    const b = forwardOp(store, ramp(50, 1000));
    expect(a.start).toBe(base);
    expect(b.start).toBeGreaterThan(a.start);
    expect(kernels.arenaStart).toBeGreaterThan(b.start);
    expect(store.bytes).toBe(600);
    const backB = adjointOp(store, b.id, 50);
    expect(backB).toEqual({ at: b.start, values: ramp(50, 1000) });
    const backA = adjointOp(store, a.id, 100);
    expect(backA).toEqual({ at: a.start, values: ramp(100, 0) });
    expect(store.bytes).toBe(0);
    expect(kernels.arenaStart).toBe(base);
  });

  it('one read out of order is copied, and its room comes back once the ones above it are read', () => {
    const store = new ActivationStore();
    const base = kernels.arenaStart;
    const a = forwardOp(store, ramp(30, 0));
    const b = forwardOp(store, ramp(30, 500));
    const backA = adjointOp(store, a.id, 30);
    expect(backA.at).toBeGreaterThan(b.start);
    expect(backA.values).toEqual(ramp(30, 0));
    expect(adjointOp(store, b.id, 30)).toEqual({ at: b.start, values: ramp(30, 500) });
    expect(store.bytes).toBe(0);
    // a's room is given back when the next adjoint reopens (nothing above it is live).
    store.reopen(kernels, 0);
    expect(kernels.arenaStart).toBe(base);
  });

  it('an op whose arena does not begin with its snapshot keeps a copy, and the arena is not held', () => {
    const store = new ActivationStore();
    const base = kernels.arenaStart;
    const a = forwardOp(store, ramp(20, 7), 16);
    expect(kernels.arenaStart).toBe(base);
    kernels.reset();
    kernels.view(kernels.alloc(64), 64).fill(0);
    expect(adjointOp(store, a.id, 20, 16).values).toEqual(ramp(20, 7));
    expect(store.bytes).toBe(0);
  });

  it('beyond its limit every held snapshot is copied out and the memory given back; all still read correctly', () => {
    const store = new ActivationStore(1200);
    const base = kernels.arenaStart;
    const ops = [0, 1, 2, 3].map((k) => forwardOp(store, ramp(100, 100 * k)));
    // Two 400-byte regions fit under 1200 bytes with the alignment; the third spills them and is
    // copied itself, so the fourth op's arena starts at the bottom again and is held there.
    expect(ops[1]!.start).toBeGreaterThan(base);
    expect(ops[3]!.start).toBe(base);
    expect(kernels.arenaStart).toBeGreaterThan(base);
    kernels.reset();
    kernels.view(kernels.alloc(1000), 1000).fill(0);
    for (const k of [1, 3, 0, 2])
      expect(adjointOp(store, ops[k]!.id, 100).values).toEqual(ramp(100, 100 * k));
    expect(store.bytes).toBe(0);
    store.reopen(kernels, 0);
    expect(kernels.arenaStart).toBe(base);
  });

  it('reading a snapshot twice is an error that says so', () => {
    const store = new ActivationStore();
    const a = forwardOp(store, ramp(10, 0));
    adjointOp(store, a.id, 10);
    expect(() => adjointOp(store, a.id, 10)).toThrow(/snapshot \d+\) are gone/);
  });
});
