import { platform } from '#platform';
import { ConfigError } from '../validation/config-error.js';
import {
  KERNEL_ARITHMETIC_VARIABLE,
  type KernelArithmetic,
  requestedKernelArithmetic,
} from './kernel-arithmetic.js';
import { RECURRENT_WASM_BASE64, RECURRENT_WASM_RELAXED_SIMD_BASE64 } from './recurrent-wasm.js';

/** A WebAssembly linear memory (typed here: the project's `lib` has no DOM types). */
export interface KernelMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** The exports of the SIMD WebAssembly module built from `packages/core/assembly` (byte addresses, element strides). */
export interface RecurrentKernelExports {
  memory: KernelMemory;
  heapBase(): number;
  gemm(
    m: number,
    n: number,
    k: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    accumulate: number,
  ): void;
  /** C = A·B + bias (the row `bias` added to every row), as filling C with it then `gemm` with accumulate. */
  gemmBias(
    m: number,
    n: number,
    k: number,
    a: number,
    ars: number,
    acs: number,
    b: number,
    ldb: number,
    bias: number,
    c: number,
    ldc: number,
  ): void;
  gemmNT(
    m: number,
    n: number,
    k: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    accumulate: number,
  ): void;
  rowSums(m: number, n: number, x: number, ld: number, out: number, os: number, accumulate: number): void;
  colSums(m: number, n: number, x: number, ld: number, out: number, accumulate: number): void;
  addRow(n: number, x: number, y: number): void;
  fillRowsWith(m: number, n: number, c: number, ld: number, bias: number, bs: number): void;
  transpose(m: number, n: number, src: number, lds: number, dst: number): void;
  copy2d(m: number, n: number, src: number, lds: number, dst: number, ldd: number): void;
  logAndSignForward(n: number, g: number, features: number, k: number): void;
  logAndSignBackward(n: number, g: number, dFeatures: number, dg: number, k: number): void;
  lstmCellForward(size: number, a: number, cPrev: number, cNext: number, tanhC: number, hNext: number): void;
  lstmCellBackward(
    size: number,
    act: number,
    tanhC: number,
    cPrev: number,
    dh: number,
    dc: number,
    da: number,
  ): void;
  multiply(size: number, o: number, t: number, y: number): void;
  gruGatesForward(batch: number, hidden: number, act: number): void;
  gruResetHidden(batch: number, hidden: number, act: number, h: number, rh: number): void;
  gruCandidateForward(batch: number, hidden: number, act: number, h: number, hNext: number): void;
  gruCandidateBackward(
    batch: number,
    hidden: number,
    act: number,
    h: number,
    dh: number,
    dAct: number,
    dPrev: number,
  ): void;
  gruResetBackward(
    batch: number,
    hidden: number,
    act: number,
    h: number,
    dRh: number,
    dAct: number,
    dPrev: number,
  ): void;
  relu(size: number, y: number): void;
  reluBackward(size: number, y: number, d: number): void;
  uniforms(n: number, out: number, seedLo: number, seedHi: number): void;
  gumbelSoftmaxForward(
    rows: number,
    cols: number,
    logits: number,
    y: number,
    hard: number,
    invTemperature: number,
    seedLo: number,
    seedHi: number,
  ): void;
  gumbelSoftmaxBackward(
    rows: number,
    cols: number,
    y: number,
    dy: number,
    dLogits: number,
    invTemperature: number,
    temperatureGrad: number,
  ): number;
  /** The PPO loss of rows of head outputs and its gradient in them (see assembly/ppo-loss.ts). */
  ppoLossRows(
    rows: number,
    actions: number,
    y: number,
    bias: number,
    chosen: number,
    oldLogProbs: number,
    advantages: number,
    returns: number,
    clip: number,
    valueCoefficient: number,
    entropyCoefficient: number,
    scale: number,
    policy: number,
    value: number,
    dy: number,
    sums: number,
  ): void;
  /** Nonzero exactly when the module's multiply-add is fused. */
  fusedMultiplyAddProbe(): number;
}

const PAGE = 65536;
const ALIGN = 64;

/**
 * The kernel module and a bump allocator over its linear memory. A fused op resets the arena,
 * allocates every buffer it needs, copies its inputs in, runs, and copies its outputs out. The one
 * thing that may outlive an op is the start of its arena that it holds for its adjoint
 * ({@link holdTo}, managed by the activation store); every later op allocates above it.
 */
export class RecurrentKernels {
  readonly exports: RecurrentKernelExports;
  private top: number;
  /** The lowest address free for an op: the module's heap base, or above the regions held between ops. */
  private floor: number;
  readonly base: number;
  /** Bytes of linear memory the arena has ever needed at once, held regions included (its high-water mark). */
  peakBytes = 0;

  constructor(bytes: Uint8Array) {
    const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
    this.exports = new wasm.Instance(new wasm.Module(bytes), {}).exports as RecurrentKernelExports;
    this.base = Math.ceil(this.exports.heapBase() / ALIGN) * ALIGN;
    this.top = this.base;
    this.floor = this.base;
  }

  /** Frees every allocation above the held regions (the start of each fused op). */
  reset(): void {
    this.top = this.floor;
  }

  /** Where the next {@link reset} starts the arena. */
  get arenaStart(): number {
    return this.floor;
  }

  /**
   * Holds this op's arena from {@link arenaStart} up to `end` past the next reset: the ops after it
   * allocate above. {@link releaseTo} that start gives it back.
   */
  holdTo(end: number): void {
    if (end < this.floor || end > this.top)
      throw new RangeError(`holdTo(${end}): outside this op's arena [${this.floor}, ${this.top}]`);
    this.floor = Math.ceil(end / ALIGN) * ALIGN;
  }

  /** Lowers the held memory's end to `address` (the start of a held region, or {@link base}). */
  releaseTo(address: number): void {
    if (address < this.base || address > this.floor)
      throw new RangeError(`releaseTo(${address}): not within the held memory [${this.base}, ${this.floor}]`);
    this.floor = address;
  }

  /**
   * Reserves `floats` float32s (64-byte aligned) and returns the byte address. Memory grows as
   * needed; growing detaches earlier views, so take views with {@link view} after allocating.
   */
  alloc(floats: number): number {
    const address = this.top;
    this.top += Math.ceil((floats * 4) / ALIGN) * ALIGN;
    const needed = this.top - this.exports.memory.buffer.byteLength;
    if (needed > 0) this.exports.memory.grow(Math.ceil(needed / PAGE));
    this.peakBytes = Math.max(this.peakBytes, this.top - this.base);
    return address;
  }

  /** Reserves room for `values` and copies them in. */
  put(values: Float32Array): number {
    const address = this.alloc(values.length);
    this.view(address, values.length).set(values);
    return address;
  }

  /** A float32 view of `floats` values at a byte address (valid until the next allocation). */
  view(address: number, floats: number): Float32Array {
    return new Float32Array(this.exports.memory.buffer, address, floats);
  }

  /** How this module's matrix products multiply and add, on this machine. */
  get arithmetic(): KernelArithmetic {
    return this.exports.fusedMultiplyAddProbe() !== 0 ? 'fused-multiply-add' : 'multiply-then-add';
  }

  /** Bytes of linear memory the module holds now (it never shrinks). */
  get memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }
}

let instance: RecurrentKernels | undefined;

/**
 * The process-wide kernel instance (each worker thread has its own, and makes the same choice):
 * the relaxed-SIMD build where the runtime compiles it and its multiply-add fuses on this CPU
 * (about 1.4× on the matrix products), else the SIMD128 build; {@link KERNEL_ARITHMETIC_VARIABLE}
 * pins either.
 */
export function recurrentKernels(): RecurrentKernels {
  instance ??= loadKernels(requestedKernelArithmetic());
  return instance;
}

/** How the process-wide kernels multiply and add (see {@link KernelArithmetic}). */
export function kernelArithmetic(): KernelArithmetic {
  return recurrentKernels().arithmetic;
}

function loadKernels(requested: KernelArithmetic | undefined): RecurrentKernels {
  if (requested !== 'multiply-then-add') {
    const relaxed = decodeBase64(RECURRENT_WASM_RELAXED_SIMD_BASE64);
    if (platform.compilesWasm(relaxed)) {
      const kernels = new RecurrentKernels(relaxed);
      if (kernels.arithmetic === 'fused-multiply-add') return kernels;
    }
    if (requested === 'fused-multiply-add') {
      throw new ConfigError(
        KERNEL_ARITHMETIC_VARIABLE,
        requested,
        'this runtime or CPU has no fused multiply-add for WebAssembly (relaxed SIMD); use multiply-then-add or leave it unset',
      );
    }
  }
  return new RecurrentKernels(decodeBase64(RECURRENT_WASM_BASE64));
}

function decodeBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
