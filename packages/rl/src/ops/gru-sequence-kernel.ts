import {
  activationStore,
  type FusedKernelFactory,
  type RecurrentKernels,
  recurrentKernels,
  registerFusedKernel,
  tensorIO,
} from '@metagrad/core';
import type * as tf from '@tensorflow/tfjs';

/** tfjs kernel names of the fused GRU sequence and of its adjoint. */
export const GRU_SEQUENCE = 'MetagradGruSequence';
export const GRU_SEQUENCE_GRAD = 'MetagradGruSequenceGrad';

/** Attributes of the forward kernel. */
export interface GruSequenceAttrs {
  /** Whether the inputs pass through a ReLU embedding (`embedW`, `embedB`) first. */
  embedding: boolean;
  /** Keep a snapshot for the adjoint (the op is being recorded on a gradient tape). */
  record: boolean;
  steps: number;
  batch: number;
  inputSize: number;
  hidden: number;
  /** The GRU's input width: the embedding's units, or the input size. */
  width: number;
  /** Embedding units (0: none). */
  embeddingUnits: number;
}

/** Attributes of the adjoint: the forward's and the snapshot it kept. */
export interface GruSequenceGradAttrs extends GruSequenceAttrs {
  snapshot: number;
}

const GATES = ['z', 'r', 'n'] as const;

/**
 * Input names of the forward kernel and, in this order, of the adjoint's outputs: the inputs `[T, B, I]`, the initial hidden state `[B, H]`, W, U and b of each
 * gate (`[G, H]`, `[H, H]`, `[H]`, with G the GRU's input width) and the optional embedding's
 * weight `[I, E]` and bias `[E]`.
 */
export function gruInputNames(embedding: boolean): string[] {
  return [
    'inputs',
    'h0',
    ...GATES.flatMap((g) => [`W${g}`, `U${g}`, `b${g}`]),
    ...(embedding ? ['embedW', 'embedB'] : []),
  ];
}

/** Sizes of one sequence. */
type Sizes = Pick<GruSequenceAttrs, 'steps' | 'batch' | 'inputSize' | 'hidden' | 'width' | 'embeddingUnits'>;

/**
 * The start of kernel memory, the same in the forward kernel and its adjoint: the inputs, the gate
 * weights packed side by side, then the hidden states (h0 first), the gate activations z, r, n per
 * step `[T·B × 3H]` and the embedded inputs. Everything up to `end` is the snapshot.
 */
function sequenceLayout(kernels: RecurrentKernels, s: Sizes, embedding: boolean) {
  const { steps, batch, inputSize, hidden: h, width } = s;
  const rows = steps * batch;
  const sizes: Record<string, number> = { inputs: rows * inputSize, h0: batch * h };
  for (const g of GATES) {
    sizes[`W${g}`] = width * h;
    sizes[`U${g}`] = h * h;
    sizes[`b${g}`] = h;
  }
  if (embedding) {
    sizes.embedW = inputSize * s.embeddingUnits;
    sizes.embedB = s.embeddingUnits;
  }
  const address: Record<string, number> = {};
  for (const name of gruInputNames(embedding)) address[name] = kernels.alloc(sizes[name]!);
  const wcat = kernels.alloc(width * 3 * h);
  const bcat = kernels.alloc(3 * h);
  const uzr = kernels.alloc(h * 2 * h);
  const states = kernels.alloc((steps + 1) * batch * h);
  const gates = kernels.alloc(rows * 3 * h);
  const embedded = kernels.alloc(rows * s.embeddingUnits);
  return {
    address,
    sizes,
    /** [Wz | Wr | Wn] `[G × 3H]`, [bz | br | bn] `[3H]`, [Uz | Ur] `[H × 2H]`. */
    wcat,
    bcat,
    uzr,
    states,
    gates,
    embedded,
    start: address.inputs!,
    end: embedded + rows * s.embeddingUnits * 4,
  };
}

type KernelArgs = Parameters<ReturnType<FusedKernelFactory>>[0];

/** Byte addresses in kernel memory of one step of the recurrence. */
export interface GruStepAddresses {
  /** The step's gate pre-activations `[B × 3H]`, holding the input projections x·[Wz | Wr | Wn] + b. */
  gates: number;
  /** The state the step starts from and the one it writes, `[B × H]` each. */
  prev: number;
  next: number;
  /** [Uz | Ur] `[H × 2H]` and Un `[H × H]`. */
  uzr: number;
  un: number;
  /** Scratch `[B × H]` for r ⊙ h. */
  resetHidden: number;
}

/**
 * One step of the GRU's recurrence after its input projections: adds the hidden-state products to
 * the gates, applies them and writes the next state. The forward kernel and the host policy step
 * both run it, so a state computed either way has the same bits.
 */
export function gruRecurrenceStep(
  k: RecurrentKernels['exports'],
  batch: number,
  h: number,
  at: GruStepAddresses,
): void {
  k.gemm(batch, 2 * h, h, at.prev, h, 1, at.uzr, 2 * h, at.gates, 3 * h, 1);
  k.gruGatesForward(batch, h, at.gates);
  k.gruResetHidden(batch, h, at.gates, at.prev, at.resetHidden);
  k.gemm(batch, h, h, at.resetHidden, h, 1, at.un, h, at.gates + 2 * h * 4, 3 * h, 1);
  k.gruCandidateForward(batch, h, at.gates, at.prev, at.next);
}

/**
 * Forward kernel. Outputs: the hidden states `[T, B, H]` and a snapshot handle (int32 `[1]`; 0 when
 * not recording).
 */
function forward(backendName: string) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const s = args.attrs as unknown as GruSequenceAttrs;
    const { embedding, record, steps, batch, inputSize, hidden: h } = s;
    const io = tensorIO(args.backend, backendName);
    const kernels = recurrentKernels();
    const k = kernels.exports;
    kernels.reset();
    const lay = sequenceLayout(kernels, s, embedding);
    const rh = kernels.alloc(batch * h);
    const { address } = lay;
    for (const name of gruInputNames(embedding)) {
      kernels.view(address[name]!, lay.sizes[name]!).set(io.read(args.inputs[name]!));
    }
    // Pack the gates' weights side by side: [Wz | Wr | Wn], [bz | br | bn], [Uz | Ur].
    GATES.forEach((g, j) => {
      k.copy2d(s.width, h, address[`W${g}`]!, h, lay.wcat + j * h * 4, 3 * h);
      k.copy2d(1, h, address[`b${g}`]!, h, lay.bcat + j * h * 4, 3 * h);
      if (j < 2) k.copy2d(h, h, address[`U${g}`]!, h, lay.uzr + j * h * 4, 2 * h);
    });
    const rows = steps * batch;
    kernels.view(lay.states, batch * h).set(kernels.view(address.h0!, batch * h));
    let x = address.inputs!;
    if (s.embeddingUnits) {
      const e = s.embeddingUnits;
      k.gemmBias(rows, e, inputSize, x, inputSize, 1, address.embedW!, e, address.embedB!, lay.embedded, e);
      k.relu(rows * e, lay.embedded);
      x = lay.embedded;
    }
    // Input projections of every step at once; the recurrence adds the hidden-state terms.
    k.gemmBias(rows, 3 * h, s.width, x, s.width, 1, lay.wcat, 3 * h, lay.bcat, lay.gates, 3 * h);
    for (let t = 0; t < steps; t++) {
      const prev = lay.states + t * batch * h * 4;
      gruRecurrenceStep(k, batch, h, {
        gates: lay.gates + t * batch * 3 * h * 4,
        prev,
        next: prev + batch * h * 4,
        uzr: lay.uzr,
        un: address.Un!,
        resetHidden: rh,
      });
    }
    const snapshot = record ? activationStore.keep(kernels, lay.start, lay.end) : 0;
    return [
      io.write([steps, batch, h], kernels.view(lay.states + batch * h * 4, rows * h)),
      io.writeHandle(snapshot),
    ];
  };
}

/**
 * Adjoint kernel (backpropagation through time). Input: `dHidden` `[T, B, H]`; everything else comes
 * from the forward's snapshot. Outputs: the gradients of the forward inputs, in order.
 */
function backward(backendName: string) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const s = args.attrs as unknown as GruSequenceGradAttrs;
    const { embedding, steps, batch, inputSize, hidden: h, width } = s;
    const io = tensorIO(args.backend, backendName);
    const kernels = recurrentKernels();
    const k = kernels.exports;
    // The forward's snapshot, where it is still in place, becomes the start of this arena.
    activationStore.reopen(kernels, s.snapshot);
    kernels.reset();
    const lay = sequenceLayout(kernels, s, embedding);
    const { address } = lay;
    const rows = steps * batch;
    const dHidden = kernels.alloc(rows * h);
    const uzrT = kernels.alloc(2 * h * h);
    const unT = kernels.alloc(h * h);
    const dAct = kernels.alloc(rows * 3 * h);
    const resetHidden = kernels.alloc(rows * h);
    const dh = kernels.alloc(batch * h);
    const dNext = kernels.alloc(batch * h);
    const dRh = kernels.alloc(batch * h);
    const dWcat = kernels.alloc(width * 3 * h);
    const dUzr = kernels.alloc(h * 2 * h);
    const dUn = kernels.alloc(h * h);
    const db = kernels.alloc(3 * h);
    const dX = kernels.alloc(rows * width);
    const dInputs = s.embeddingUnits ? kernels.alloc(rows * inputSize) : dX;
    const dEmbedW = kernels.alloc(inputSize * s.embeddingUnits);
    const dEmbedB = kernels.alloc(s.embeddingUnits);
    activationStore.restore(s.snapshot, kernels.view(lay.start, (lay.end - lay.start) / 4));
    kernels.view(dHidden, rows * h).set(io.read(args.inputs.dHidden!));
    k.transpose(h, 2 * h, lay.uzr, 2 * h, uzrT);
    k.transpose(h, h, address.Un!, h, unT);
    kernels.view(dNext, batch * h).fill(0);
    for (let t = steps - 1; t >= 0; t--) {
      const g = lay.gates + t * batch * 3 * h * 4;
      const da = dAct + t * batch * 3 * h * 4;
      const prev = lay.states + t * batch * h * 4;
      kernels.view(dh, batch * h).set(kernels.view(dHidden + t * batch * h * 4, batch * h));
      k.addRow(batch * h, dNext, dh);
      k.gruCandidateBackward(batch, h, g, prev, dh, da, dNext);
      k.gemm(batch, h, h, da + 2 * h * 4, 3 * h, 1, unT, h, dRh, h, 0);
      k.gruResetBackward(batch, h, g, prev, dRh, da, dNext);
      k.gemm(batch, h, 2 * h, da, 3 * h, 1, uzrT, h, dNext, h, 1);
      k.gruResetHidden(batch, h, g, prev, resetHidden + t * batch * h * 4);
    }
    // Weight gradients: one product over all T·B rows each.
    const x = s.embeddingUnits ? lay.embedded : address.inputs!;
    k.gemm(width, 3 * h, rows, x, 1, width, dAct, 3 * h, dWcat, 3 * h, 0);
    k.gemm(h, 2 * h, rows, lay.states, 1, h, dAct, 3 * h, dUzr, 2 * h, 0);
    k.gemm(h, h, rows, resetHidden, 1, h, dAct + 2 * h * 4, 3 * h, dUn, h, 0);
    k.colSums(rows, 3 * h, dAct, 3 * h, db, 0);
    k.gemmNT(rows, width, 3 * h, dAct, 3 * h, lay.wcat, 3 * h, dX, width, 0);
    if (s.embeddingUnits) {
      const e = s.embeddingUnits;
      k.reluBackward(rows * e, lay.embedded, dX);
      k.gemm(inputSize, e, rows, address.inputs!, 1, inputSize, dX, e, dEmbedW, e, 0);
      k.colSums(rows, e, dX, e, dEmbedB, 0);
      k.gemmNT(rows, inputSize, e, dX, e, address.embedW!, e, dInputs, inputSize, 0);
    }
    const out = (at: number, shape: number[]) =>
      io.write(
        shape,
        kernels.view(
          at,
          shape.reduce((a, b) => a * b, 1),
        ),
      );
    // Unpack the side-by-side gate blocks.
    const blocks = kernels.alloc(width * h + h * h);
    const column = (at: number, rowCount: number, stride: number, offset: number) => {
      k.copy2d(rowCount, h, at + offset * 4, stride, blocks, h);
      return out(blocks, [rowCount, h]);
    };
    return [
      out(dInputs, [steps, batch, inputSize]),
      out(dNext, [batch, h]),
      ...GATES.flatMap((_, j) => [
        column(dWcat, width, 3 * h, j * h),
        j < 2 ? column(dUzr, h, 2 * h, j * h) : out(dUn, [h, h]),
        out(db + j * h * 4, [h]),
      ]),
      ...(s.embeddingUnits
        ? [out(dEmbedW, [inputSize, s.embeddingUnits]), out(dEmbedB, [s.embeddingUnits])]
        : []),
    ];
  };
}

registerFusedKernel(GRU_SEQUENCE, forward);
registerFusedKernel(GRU_SEQUENCE_GRAD, backward);
