import * as tf from '@tensorflow/tfjs';
import { platform } from '#platform';

/**
 * Bytes of snapshots kept at most before the oldest are dropped: a quarter of the machine's memory,
 * at least 1 GiB (an unroll of 20 steps over 127,000 coordinates, Fashion-MNIST MLPs, holds 1.6 GB).
 */
const CAPACITY_BYTES = Math.max(2 ** 30, platform.totalMemoryBytes() / 4);
/** Bytes of restored snapshots' buffers kept for reuse: one unroll's worth of LSTM steps, or a few GRU trials. */
const SPARE_BYTES = 64 * 2 ** 20;

/**
 * What fused kernels keep for their adjoints, outside tfjs: one snapshot of kernel memory (inputs
 * and activations) per recorded op, taken with one copy and restored with one. The op's tfjs output
 * is then a one-element handle, so tfjs neither copies the activations into its own heap nor
 * clones them for the tape, nor builds zero gradients for them.
 *
 * A snapshot is taken only while a gradient tape records, and freed when the adjoint reads it.
 * Snapshots that no backward pass reads (a tape that is never differentiated) are dropped oldest
 * first beyond a quarter of the machine's memory; reading a dropped one is an error that says so.
 */
export class ActivationStore {
  private readonly snapshots = new Map<number, Float32Array>();
  /** Buffers of restored snapshots, by length, reused by later ones (no garbage per step). */
  private readonly spare = new Map<number, Float32Array[]>();
  private spareBytes = 0;
  private nextId = 1;
  private held = 0;
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

  /** Keeps a copy of `values`; returns its id. */
  save(values: Float32Array): number {
    const id = this.nextId++;
    const reused = this.spare.get(values.length)?.pop();
    if (reused) this.spareBytes -= reused.byteLength;
    const buffer = reused ?? new Float32Array(values.length);
    buffer.set(values);
    this.snapshots.set(id, buffer);
    this.held += values.byteLength;
    while (this.held > CAPACITY_BYTES) {
      const [oldest, snapshot] = this.snapshots.entries().next().value as [number, Float32Array];
      this.snapshots.delete(oldest);
      this.held -= snapshot.byteLength;
    }
    this.peakBytes = Math.max(this.peakBytes, this.held);
    return id;
  }

  /** Copies snapshot `id` into `target` and forgets it. */
  restore(id: number, target: Float32Array): void {
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
    this.held -= snapshot.byteLength;
    return snapshot;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  resetPeak(): void {
    this.peakBytes = this.held;
  }
}

/** The process-wide store (each worker thread has its own). */
export const activationStore = new ActivationStore();
