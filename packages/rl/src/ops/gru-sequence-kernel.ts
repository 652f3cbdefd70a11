import { FUSED_KERNEL_BACKENDS, type RecurrentKernels, recurrentKernels, tensorIO } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';

/** tfjs kernel names of the fused GRU sequence and of its adjoint. */
export const GRU_SEQUENCE = 'MetagradGruSequence';
export const GRU_SEQUENCE_GRAD = 'MetagradGruSequenceGrad';

/** Attributes of both kernels. */
export interface GruSequenceAttrs {
  /** Whether the inputs pass through a ReLU embedding (`embedW`, `embedB`) first. */
  embedding: boolean;
}

const GATES = ['z', 'r', 'n'] as const;

/**
 * Input names of the forward kernel (it takes its inputs as an array in this order) and of the
 * adjoint's outputs: the inputs `[T, B, I]`, the initial hidden state `[B, H]`, W, U and b of each
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

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

/** Sizes and packed weights in kernel memory. */
interface Layout {
  steps: number;
  batch: number;
  inputSize: number;
  hidden: number;
  /** The GRU's input width: the embedding's units, or the input size. */
  width: number;
  embedding: number;
  address: Record<string, number>;
  /** [Wz | Wr | Wn] `[G × 3H]`, [bz | br | bn] `[3H]`, [Uz | Ur] `[H × 2H]`. */
  wcat: number;
  bcat: number;
  uzr: number;
}

function sizeOf(t: tf.TensorInfo): number {
  return t.shape.reduce((a, b) => a * b, 1);
}

/** Allocates and fills the inputs named `names`, then packs the gate weights side by side. */
function load(
  kernels: RecurrentKernels,
  read: (t: tf.TensorInfo) => Float32Array,
  tensors: Record<string, tf.TensorInfo>,
  names: string[],
  embedding: boolean,
): Layout {
  const [steps, batch, inputSize] = tensors.inputs!.shape as [number, number, number];
  const hidden = tensors.Uz!.shape[0]!;
  const width = tensors.Wz!.shape[0]!;
  const address: Record<string, number> = {};
  for (const name of names) address[name] = kernels.alloc(sizeOf(tensors[name]!));
  const wcat = kernels.alloc(width * 3 * hidden);
  const bcat = kernels.alloc(3 * hidden);
  const uzr = kernels.alloc(hidden * 2 * hidden);
  for (const name of names) kernels.view(address[name]!, sizeOf(tensors[name]!)).set(read(tensors[name]!));
  const h = hidden;
  const wcatView = kernels.view(wcat, width * 3 * h);
  const uzrView = kernels.view(uzr, h * 2 * h);
  GATES.forEach((g, j) => {
    const w = kernels.view(address[`W${g}`]!, width * h);
    for (let i = 0; i < width; i++) wcatView.set(w.subarray(i * h, (i + 1) * h), i * 3 * h + j * h);
    kernels.view(bcat + j * h * 4, h).set(kernels.view(address[`b${g}`]!, h));
    if (j < 2) {
      const u = kernels.view(address[`U${g}`]!, h * h);
      for (let i = 0; i < h; i++) uzrView.set(u.subarray(i * h, (i + 1) * h), i * 2 * h + j * h);
    }
  });
  const embed = embedding ? tensors.embedW!.shape[1]! : 0;
  return { steps, batch, inputSize, hidden, width, embedding: embed, address, wcat, bcat, uzr };
}

/**
 * Forward kernel. Outputs: the hidden states `[T, B, H]`, the gate activations z, r, n
 * `[T, B, 3H]`, and with an embedding its ReLU outputs `[T, B, E]`.
 */
function forward(backendName: string) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const { embedding } = args.attrs as unknown as GruSequenceAttrs;
    const io = tensorIO(args.backend, backendName);
    const kernels = recurrentKernels();
    const k = kernels.exports;
    const names = gruInputNames(embedding);
    const tensors = Object.fromEntries(
      names.map((name, i) => [name, (args.inputs as unknown as tf.TensorInfo[])[i]!]),
    );
    kernels.reset();
    const l = load(kernels, io.read, tensors, names, embedding);
    const { steps, batch, inputSize, hidden: h, width, address } = l;
    const rows = steps * batch;
    const states = kernels.alloc((steps + 1) * batch * h);
    const gates = kernels.alloc(rows * 3 * h);
    const embedded = l.embedding ? kernels.alloc(rows * l.embedding) : 0;
    const rh = kernels.alloc(batch * h);
    kernels.view(states, batch * h).set(kernels.view(address.h0!, batch * h));
    let x = address.inputs!;
    if (l.embedding) {
      k.fillColsWith(rows, l.embedding, embedded, l.embedding, address.embedB!);
      k.gemm(
        rows,
        l.embedding,
        inputSize,
        x,
        inputSize,
        1,
        address.embedW!,
        l.embedding,
        embedded,
        l.embedding,
        1,
      );
      k.relu(rows * l.embedding, embedded);
      x = embedded;
    }
    // Input projections of every step at once; the recurrence adds the hidden-state terms.
    k.fillColsWith(rows, 3 * h, gates, 3 * h, l.bcat);
    k.gemm(rows, 3 * h, width, x, width, 1, l.wcat, 3 * h, gates, 3 * h, 1);
    for (let t = 0; t < steps; t++) {
      const g = gates + t * batch * 3 * h * 4;
      const prev = states + t * batch * h * 4;
      k.gemm(batch, 2 * h, h, prev, h, 1, l.uzr, 2 * h, g, 3 * h, 1);
      k.gruGatesForward(batch, h, g);
      k.gruResetHidden(batch, h, g, prev, rh);
      k.gemm(batch, h, h, rh, h, 1, address.Un!, h, g + 2 * h * 4, 3 * h, 1);
      k.gruCandidateForward(batch, h, g, prev, prev + batch * h * 4);
    }
    const out = (at: number, width: number) =>
      io.write([steps, batch, width], kernels.view(at, rows * width));
    return [
      out(states + batch * h * 4, h),
      out(gates, 3 * h),
      ...(l.embedding ? [out(embedded, l.embedding)] : []),
    ];
  };
}

/**
 * Adjoint kernel. Inputs: the forward inputs by name, its outputs `hidden`, `gates` (and
 * `embedded`), and `dHidden` `[T, B, H]`. Outputs: the gradients of the forward inputs, in order.
 */
function backward(backendName: string) {
  return (args: KernelArgs): tf.TensorInfo[] => {
    const { embedding } = args.attrs as unknown as GruSequenceAttrs;
    const io = tensorIO(args.backend, backendName);
    const kernels = recurrentKernels();
    const k = kernels.exports;
    const inputNames = gruInputNames(embedding);
    const names = [...inputNames, 'hidden', 'gates', 'dHidden', ...(embedding ? ['embedded'] : [])];
    const tensors = args.inputs as Record<string, tf.TensorInfo>;
    kernels.reset();
    const l = load(kernels, io.read, tensors, names, embedding);
    const { steps, batch, inputSize, hidden: h, width, address } = l;
    const rows = steps * batch;
    // Hidden states with h0 in front: step t reads row block t as h_{t−1}.
    const states = kernels.alloc((steps + 1) * batch * h);
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
    const dInputs = l.embedding ? kernels.alloc(rows * inputSize) : dX;
    const dEmbedW = kernels.alloc(inputSize * l.embedding);
    const dEmbedB = kernels.alloc(l.embedding);
    kernels.view(states, batch * h).set(kernels.view(address.h0!, batch * h));
    kernels.view(states + batch * h * 4, rows * h).set(kernels.view(address.hidden!, rows * h));
    k.transpose(h, 2 * h, l.uzr, 2 * h, uzrT);
    k.transpose(h, h, address.Un!, h, unT);
    kernels.view(dNext, batch * h).fill(0);
    for (let t = steps - 1; t >= 0; t--) {
      const g = address.gates! + t * batch * 3 * h * 4;
      const da = dAct + t * batch * 3 * h * 4;
      const prev = states + t * batch * h * 4;
      kernels.view(dh, batch * h).set(kernels.view(address.dHidden! + t * batch * h * 4, batch * h));
      k.addRow(batch * h, dNext, dh);
      k.gruCandidateBackward(batch, h, g, prev, dh, da, dNext);
      k.gemm(batch, h, h, da + 2 * h * 4, 3 * h, 1, unT, h, dRh, h, 0);
      k.gruResetBackward(batch, h, g, prev, dRh, da, dNext);
      k.gemm(batch, h, 2 * h, da, 3 * h, 1, uzrT, h, dNext, h, 1);
      k.gruResetHidden(batch, h, g, prev, resetHidden + t * batch * h * 4);
    }
    // Weight gradients: one product over all T·B rows each.
    const x = l.embedding ? address.embedded! : address.inputs!;
    k.gemm(width, 3 * h, rows, x, 1, width, dAct, 3 * h, dWcat, 3 * h, 0);
    k.gemm(h, 2 * h, rows, states, 1, h, dAct, 3 * h, dUzr, 2 * h, 0);
    k.gemm(h, h, rows, resetHidden, 1, h, dAct + 2 * h * 4, 3 * h, dUn, h, 0);
    k.colSums(rows, 3 * h, dAct, 3 * h, db, 0);
    k.gemmNT(rows, width, 3 * h, dAct, 3 * h, l.wcat, 3 * h, dX, width, 0);
    if (l.embedding) {
      const e = l.embedding;
      k.reluBackward(rows * e, address.embedded!, dX);
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
    const column = (at: number, rowCount: number, stride: number, offset: number) => {
      const packed = kernels.view(at, rowCount * stride);
      const block = new Float32Array(rowCount * h);
      for (let i = 0; i < rowCount; i++)
        block.set(packed.subarray(i * stride + offset, i * stride + offset + h), i * h);
      return io.write([rowCount, h], block);
    };
    return [
      out(dInputs, [steps, batch, inputSize]),
      out(dNext, [batch, h]),
      ...GATES.flatMap((_, j) => [
        column(dWcat, width, 3 * h, j * h),
        j < 2 ? column(dUzr, h, 2 * h, j * h) : out(dUn, [h, h]),
        out(db + j * h * 4, [h]),
      ]),
      ...(l.embedding ? [out(dEmbedW, [inputSize, l.embedding]), out(dEmbedB, [l.embedding])] : []),
    ];
  };
}

for (const backendName of FUSED_KERNEL_BACKENDS) {
  for (const [kernelName, make] of [
    [GRU_SEQUENCE, forward],
    [GRU_SEQUENCE_GRAD, backward],
  ] as const) {
    if (!tf.getKernel(kernelName, backendName)) {
      tf.registerKernel({
        kernelName,
        backendName,
        kernelFunc: make(backendName) as unknown as tf.KernelFunc,
      });
    }
  }
}
