import { FUSED_KERNEL_BACKENDS, recurrentKernels, resolveKernels } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { GRU_SEQUENCE, gruRecurrenceStep } from '../ops/gru-sequence-kernel.js';
import type { GruPolicy } from './gru-policy.js';

/** What one step of the policy gives the loop that acts: logits `[B × A]` row-major and values `[B]`. */
export interface HostStepOutput {
  logits: Float32Array;
  values: Float32Array;
}

/** The policy's weights read once and laid out as the kernels take them. */
interface PackedWeights {
  /** [Wz | Wr | Wn] `[G × 3H]`, [bz | br | bn], [Uz | Ur] `[H × 2H]`, Un `[H × H]`. */
  wcat: Float32Array;
  bcat: Float32Array;
  uzr: Float32Array;
  un: Float32Array;
  /** The embedding's weight `[I × E]` and bias, when there is one. */
  embedW?: Float32Array;
  embedB?: Float32Array;
  /** Both heads as one product: [policyW | valueW | 0] `[H × headColumns(A)]` and [policyB | valueB | 0]. */
  head: Float32Array;
  headB: Float32Array;
}

/**
 * Columns of the heads' product: A logits and the value, padded with zero columns to the GEMM's
 * 8-wide tile: 6 columns went through the kernel's scalar tail at a fifth of the speed.
 */
function headColumns(actions: number): number {
  return Math.ceil((actions + 1) / 8) * 8;
}

/** Copies `blocks` (each `[rows × width_j]`, row-major) side by side into one `[rows × Σ width_j]`. */
function sideBySide(rows: number, blocks: Float32Array[]): Float32Array {
  const widths = blocks.map((b) => b.length / rows);
  const total = widths.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows * total);
  for (let r = 0; r < rows; r++) {
    let column = 0;
    blocks.forEach((block, j) => {
      const w = widths[j]!;
      out.set(block.subarray(r * w, (r + 1) * w), r * total + column);
      column += w;
    });
  }
  return out;
}

/**
 * The policy's step computed on the host with the fused kernels, for the loops that act (rollouts,
 * evaluation): the GRU's step and both heads as one product, the state kept between steps as an
 * array, and no tfjs op or tensor per step. The GRU's states have the bits of the fused
 * `gruSequence` (the same kernel calls in the same order); the heads sum their products in the
 * kernels' order rather than tfjs's, so logits and values may differ from `GruPolicy.step`'s in the
 * last bit.
 *
 * {@link HostPolicyStep.start} gives none where the CPU kernels do not apply (the composite
 * choice, a GPU backend, the layer-normalised cell, a slot memory): the caller then steps the
 * policy's tensors.
 */
export class HostPolicyStep {
  private state: Float32Array;

  private constructor(
    private readonly policy: GruPolicy,
    private readonly batch: number,
    private readonly weights: PackedWeights,
  ) {
    this.state = new Float32Array(batch * policy.shape.hidden);
  }

  /** The GRU's state now, `[B × H]` row-major. */
  get hidden(): Float32Array {
    return this.state;
  }

  /** Whether `policy` can step on the host on the active backend. */
  static applies(policy: GruPolicy): boolean {
    const { cell, memory } = policy.shape;
    if (memory || (cell ?? 'gru') !== 'gru') return false;
    // On a GPU backend the step stays on the device with the rest of the run.
    const backend = tf.getBackend();
    if (!(FUSED_KERNEL_BACKENDS as readonly string[]).includes(backend)) return false;
    return resolveKernels(policy.kernels, backend, GRU_SEQUENCE) === 'fused';
  }

  /** A host step for `batch` trials from a zero state (a trial starts with no memory), or none where it does not apply. */
  static async start(policy: GruPolicy, batch: number): Promise<HostPolicyStep | undefined> {
    if (!HostPolicyStep.applies(policy)) return undefined;
    const h = policy.shape.hidden;
    const w = Object.fromEntries((await policy.weightValues()).map((v) => [v.name, v.values]));
    const width = w.Wz!.length / h;
    const padding = headColumns(policy.shape.actions) - policy.shape.actions - 1;
    const weights: PackedWeights = {
      wcat: sideBySide(width, [w.Wz!, w.Wr!, w.Wn!]),
      bcat: sideBySide(1, [w.bz!, w.br!, w.bn!]),
      uzr: sideBySide(h, [w.Uz!, w.Ur!]),
      un: w.Un!,
      ...(w.embedW ? { embedW: w.embedW, embedB: w.embedB! } : {}),
      head: sideBySide(h, [w.policyW!, w.valueW!, new Float32Array(h * padding)]),
      headB: sideBySide(1, [w.policyB!, w.valueB!, new Float32Array(padding)]),
    };
    return new HostPolicyStep(policy, batch, weights);
  }

  /** One step: inputs `[B × I]` row-major → logits and values; the state advances. */
  step(input: Float32Array): HostStepOutput {
    const { batch, weights: w } = this;
    const { hidden: h, inputSize, actions } = this.policy.shape;
    const kernels = recurrentKernels();
    const k = kernels.exports;
    // Kernel memory is shared with every fused op, so each step lays out what it needs afresh.
    kernels.reset();
    let x = kernels.put(input);
    let width = inputSize;
    if (w.embedW && w.embedB) {
      const e = w.embedB.length;
      const embedW = kernels.put(w.embedW);
      const embedB = kernels.put(w.embedB);
      const embedded = kernels.alloc(batch * e);
      k.gemmBias(batch, e, inputSize, x, inputSize, 1, embedW, e, embedB, embedded, e);
      k.relu(batch * e, embedded);
      x = embedded;
      width = e;
    }
    const wcat = kernels.put(w.wcat);
    const bcat = kernels.put(w.bcat);
    const uzr = kernels.put(w.uzr);
    const un = kernels.put(w.un);
    const prev = kernels.put(this.state);
    const gates = kernels.alloc(batch * 3 * h);
    const resetHidden = kernels.alloc(batch * h);
    const next = kernels.alloc(batch * h);
    k.gemmBias(batch, 3 * h, width, x, width, 1, wcat, 3 * h, bcat, gates, 3 * h);
    gruRecurrenceStep(k, batch, h, { gates, prev, next, uzr, un, resetHidden });
    const columns = headColumns(actions);
    const head = kernels.put(w.head);
    const headB = kernels.put(w.headB);
    const out = kernels.alloc(batch * columns);
    k.gemmBias(batch, columns, h, next, h, 1, head, columns, headB, out, columns);
    this.state.set(kernels.view(next, batch * h));
    const both = kernels.view(out, batch * columns);
    const logits = new Float32Array(batch * actions);
    const values = new Float32Array(batch);
    for (let i = 0; i < batch; i++) {
      for (let j = 0; j < actions; j++) logits[i * actions + j] = both[i * columns + j]!;
      values[i] = both[i * columns + actions]!;
    }
    return { logits, values };
  }
}
