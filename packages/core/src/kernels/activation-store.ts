import * as tf from '@tensorflow/tfjs';
import { platform } from '#platform';
import type { RecurrentKernels } from './recurrent-kernels.js';

/**
 * Bytes of snapshots kept at most before the oldest are dropped: a quarter of the machine's memory,
 * at least 1 GiB (an unroll of 20 steps over 127,000 coordinates, Fashion-MNIST MLPs, holds 1.6 GB).
 */
const CAPACITY_BYTES = Math.max(2 ** 30, platform.totalMemoryBytes() / 4);
/** Bytes of restored snapshots' buffers kept for reuse: one unroll's worth of LSTM steps, or a few GRU trials. */
const SPARE_BYTES = 64 * 2 ** 20;
/** Bytes of snapshots held in place in kernel memory at most (more are copied out, as before). */
const IN_KERNEL_BYTES = 256 * 2 ** 20;

/** A snapshot held where its op left it: kernel memory [start, end), at the bottom of the arena. */
interface HeldRegion {
  id: number;
  kernels: RecurrentKernels;
  start: number;
  end: number;
  /** Cleared when an adjoint has read it out of order (it waits for the regions above to go). */
  live: boolean;
}

/**
 * What fused kernels keep for their adjoints, outside tfjs: one snapshot of kernel memory (inputs
 * and activations) per recorded op. The op's tfjs output is then a one-element handle, so tfjs
 * neither copies the activations into its own heap nor clones them for the tape, nor builds zero
 * gradients for them.
 *
 * Where it can, a snapshot stays where the op computed it ({@link keep}): the op's arena begins at
 * the top of the regions held so far, so holding it is moving the floor of later arenas up, and a
 * backward pass, which reads the snapshots in reverse, finds each on top and lays its adjoint's
 * arena over it ({@link reopen}): no copy either way. A snapshot read out of that order is copied.
 * Beyond 256 MiB of kernel memory held they are all copied out to plain arrays, as every snapshot
 * of an op whose arena does not begin at the floor is.
 *
 * A snapshot is taken only while a gradient tape records, and freed when the adjoint reads it.
 * Snapshots that no backward pass reads (a tape that is never differentiated) are dropped oldest
 * first beyond a quarter of the machine's memory; reading a dropped one is an error that says so.
 */
export class ActivationStore {
  private readonly snapshots = new Map<number, Float32Array>();
  /** Snapshots held in kernel memory, bottom to top. */
  private readonly held: HeldRegion[] = [];
  /** The snapshot {@link reopen} let go of, whose adjoint's arena now starts at it. */
  private reopened: HeldRegion | undefined;
  /** Buffers of restored snapshots, by length, reused by later ones (no garbage per step). */
  private readonly spare = new Map<number, Float32Array[]>();
  private spareBytes = 0;
  private nextId = 1;
  private bytesHeld = 0;
  /** The most bytes held at once since {@link resetPeak}. */
  peakBytes = 0;

  /**
   * Whether an op called now is recorded on a gradient tape: tfjs records kernels while a gradient
   * scope is open, except those run inside another kernel (a custom gradient's forward pass).
   */
  get recording(): boolean {
    const state = tf.engine().state as unknown as { gradientDepth: number; kernelDepth: number };
    return state.gradientDepth > 0 && state.kernelDepth === 0;
  }

  constructor(private readonly inKernelBytes = IN_KERNEL_BYTES) {}

  /**
   * Keeps kernel memory [start, end) of the running op for its adjoint; returns the snapshot's id.
   * Held in place where the op's arena begins there and room is left; copied out otherwise.
   */
  keep(kernels: RecurrentKernels, start: number, end: number): number {
    const bytes = end - start;
    // Read-out-of-order regions still take room under live ones: the limit is on the memory held.
    if (end - kernels.base > this.inKernelBytes) this.spill();
    if (start !== kernels.arenaStart || end - kernels.base > this.inKernelBytes)
      return this.save(kernels.view(start, bytes / 4));
    const id = this.nextId++;
    this.held.push({ id, kernels, start, end, live: true });
    kernels.holdTo(end);
    this.count(bytes);
    return id;
  }

  /**
   * Before an adjoint resets kernel memory: where snapshot `id` is held on top, lets go of it so
   * that the arena starts at its address and the adjoint's layout finds the activations in place.
   */
  reopen(kernels: RecurrentKernels, id: number): void {
    this.dropReadAbove();
    const top = this.held.at(-1);
    if (top?.id !== id || top.kernels !== kernels) return;
    this.held.pop();
    kernels.releaseTo(top.start);
    this.reopened = top;
  }

  /** Keeps a copy of `values`; returns its id. */
  save(values: Float32Array): number {
    return this.saveAs(this.nextId++, values);
  }

  private saveAs(id: number, values: Float32Array): number {
    const reused = this.spare.get(values.length)?.pop();
    if (reused) this.spareBytes -= reused.byteLength;
    const buffer = reused ?? new Float32Array(values.length);
    buffer.set(values);
    this.snapshots.set(id, buffer);
    this.count(values.byteLength);
    while (this.bytesHeld > CAPACITY_BYTES && this.snapshots.size > 0) {
      const [oldest, snapshot] = this.snapshots.entries().next().value as [number, Float32Array];
      this.snapshots.delete(oldest);
      this.bytesHeld -= snapshot.byteLength;
    }
    return id;
  }

  private count(bytes: number): void {
    this.bytesHeld += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.bytesHeld);
  }

  /** Puts snapshot `id` into `target` (nothing to copy where it is already there) and forgets it. */
  restore(id: number, target: Float32Array): void {
    const inKernel = this.reopened?.id === id ? this.reopened : this.held.find((r) => r.id === id && r.live);
    if (inKernel) {
      const { kernels, start, end } = inKernel;
      const inPlace = inKernel === this.reopened && target.byteOffset === start;
      if (!inPlace) target.set(kernels.view(start, (end - start) / 4));
      if (inKernel === this.reopened) this.reopened = undefined;
      else inKernel.live = false;
      this.bytesHeld -= end - start;
      return;
    }
    const snapshot = this.take(id);
    target.set(snapshot);
    if (this.spareBytes + snapshot.byteLength <= SPARE_BYTES) {
      const spare = this.spare.get(snapshot.length) ?? [];
      spare.push(snapshot);
      this.spare.set(snapshot.length, spare);
      this.spareBytes += snapshot.byteLength;
    }
  }

  /** Returns and forgets snapshot `id`. */
  take(id: number): Float32Array {
    const snapshot = this.snapshots.get(id);
    if (!snapshot) {
      throw new Error(
        `the activations of a fused op (snapshot ${id}) are gone: more than ${(CAPACITY_BYTES / 2 ** 30).toFixed(1)} GiB was recorded on a ` +
          'gradient tape without a backward pass, or its gradient was taken twice',
      );
    }
    this.snapshots.delete(id);
    this.bytesHeld -= snapshot.byteLength;
    return snapshot;
  }

  /** Frees the held regions on top that adjoints have already read. */
  private dropReadAbove(): void {
    for (let top = this.held.at(-1); top && !top.live; top = this.held.at(-1)) {
      this.held.pop();
      top.kernels.releaseTo(top.start);
    }
  }

  /**
   * Copies every snapshot held in kernel memory out to plain arrays (the same ids) and gives the
   * memory back: what a tape that is never differentiated would otherwise pin there.
   */
  private spill(): void {
    for (const region of this.held) {
      if (!region.live) continue;
      this.bytesHeld -= region.end - region.start;
      this.saveAs(region.id, region.kernels.view(region.start, (region.end - region.start) / 4));
    }
    for (const region of this.held.splice(0).reverse()) region.kernels.releaseTo(region.start);
  }

  /** Bytes held now, in kernel memory and out of it. */
  get bytes(): number {
    return this.bytesHeld;
  }

  resetPeak(): void {
    this.peakBytes = this.bytesHeld;
  }
}

/** The process-wide store (each worker thread has its own). */
export const activationStore = new ActivationStore();
