import { KEEP_UNIFORMS, type WebGpuProgram } from '@metagrad/core';
import type { GruSequenceAttrs } from './gru-sequence-kernel.js';

/** Threads per workgroup: one workgroup carries one trial's recurrence through every step. */
const THREADS = 64;

type Sizes = Pick<GruSequenceAttrs, 'steps' | 'batch' | 'inputSize' | 'hidden' | 'width' | 'embeddingUnits'>;

/** Columns of a row of the forward's packed output: h, z, r, n (and the embedded input). */
export function forwardColumns(s: Sizes): number {
  return 4 * s.hidden + s.embeddingUnits;
}

/** Size constants, shared by both shaders (names that tfjs's generated code does not use). */
function constants(s: Sizes): string {
  return `
    const GRU_T: i32 = ${s.steps};
    const GRU_B: i32 = ${s.batch};
    const GRU_I: i32 = ${s.inputSize};
    const GRU_H: i32 = ${s.hidden};
    const GRU_G: i32 = ${s.width};
    const GRU_E: i32 = ${s.embeddingUnits};
    const GRU_C: i32 = ${forwardColumns(s)};
    const GRU_3H: i32 = ${3 * s.hidden};
    const GRU_THREADS: i32 = ${THREADS};
    fn gruSigmoid(a: f32) -> f32 { return 1.0 / (1.0 + exp(-a)); }`;
}

function key(name: string, s: Sizes): string {
  return `${name}_${s.steps}_${s.batch}_${s.inputSize}_${s.hidden}_${s.width}_${s.embeddingUnits}`;
}

/** One workgroup per trial: shared memory holds its hidden state; threads own hidden units. */
function perTrial(): Pick<WebGpuProgram, 'dispatchLayout' | 'workgroupSize'> {
  return { dispatchLayout: { x: [0] }, workgroupSize: [THREADS, 1, 1] };
}

/**
 * The whole forward recurrence in one dispatch: inputs `gruX [T, B, I]`, `gruH0 [B, H]`, the gate
 * weights packed as `gruW [G, 3H]`, `gruU [H, 3H]`, `gruBias [3H]` (z, r, n side by side) and, with an
 * embedding, `gruEmbedW [I, E]`, `gruEmbedB [E]`. Output `[T·B, 4H + E]`: per step and trial the new
 * h, the gates z, r, n, and the embedded input, which the adjoint and the weight gradients reuse.
 * n = 2σ(2a) − 1, as the composite computes tanh.
 */
export function gruForwardProgram(s: Sizes, embedding: boolean): WebGpuProgram {
  const embed = embedding
    ? `
      for (var i = lid; i < GRU_I; i = i + GRU_THREADS) { gruIn[i] = gruX[r0 * GRU_I + i]; }
      workgroupBarrier();
      for (var k = lid; k < GRU_E; k = k + GRU_THREADS) {
        var s = gruEmbedB[k];
        for (var i = 0; i < GRU_I; i = i + 1) { s = s + gruIn[i] * gruEmbedW[i * GRU_E + k]; }
        let e = max(s, 0.0);
        gruXs[k] = e;
        result[r0 * GRU_C + 4 * GRU_H + k] = e;
      }`
    : `for (var i = lid; i < GRU_I; i = i + GRU_THREADS) { gruXs[i] = gruX[r0 * GRU_I + i]; }`;
  return {
    variableNames: [
      'gruX',
      'gruH0',
      'gruW',
      'gruU',
      'gruBias',
      ...(embedding ? ['gruEmbedW', 'gruEmbedB'] : []),
    ],
    outputShape: [s.steps * s.batch, forwardColumns(s)],
    shaderKey: key('metagradGruForward', s),
    dispatch: [s.batch, 1, 1],
    ...perTrial(),
    getUserCode: () => `
    ${constants(s)}
    var<workgroup> gruHs: array<f32, ${s.hidden}>;
    var<workgroup> gruHNew: array<f32, ${s.hidden}>;
    var<workgroup> gruRh: array<f32, ${s.hidden}>;
    var<workgroup> gruZ: array<f32, ${s.hidden}>;
    var<workgroup> gruXs: array<f32, ${s.width}>;
    var<workgroup> gruIn: array<f32, ${s.inputSize}>;
    fn main(index: i32) {
      ${KEEP_UNIFORMS}
      let trial = i32(workgroupId.x);
      let lid = i32(localId.x);
      for (var j = lid; j < GRU_H; j = j + GRU_THREADS) { gruHs[j] = gruH0[trial * GRU_H + j]; }
      workgroupBarrier();
      for (var t = 0; t < GRU_T; t = t + 1) {
        let r0 = t * GRU_B + trial;
        ${embed}
        workgroupBarrier();
        for (var j = lid; j < GRU_H; j = j + GRU_THREADS) {
          var az = gruBias[j];
          var ar = gruBias[GRU_H + j];
          for (var g = 0; g < GRU_G; g = g + 1) {
            let x = gruXs[g];
            az = az + x * gruW[g * GRU_3H + j];
            ar = ar + x * gruW[g * GRU_3H + GRU_H + j];
          }
          for (var k = 0; k < GRU_H; k = k + 1) {
            let h = gruHs[k];
            az = az + h * gruU[k * GRU_3H + j];
            ar = ar + h * gruU[k * GRU_3H + GRU_H + j];
          }
          let z = gruSigmoid(az);
          let r = gruSigmoid(ar);
          gruZ[j] = z;
          gruRh[j] = r * gruHs[j];
          result[r0 * GRU_C + GRU_H + j] = z;
          result[r0 * GRU_C + 2 * GRU_H + j] = r;
        }
        workgroupBarrier();
        for (var j = lid; j < GRU_H; j = j + GRU_THREADS) {
          var an = gruBias[2 * GRU_H + j];
          for (var g = 0; g < GRU_G; g = g + 1) { an = an + gruXs[g] * gruW[g * GRU_3H + 2 * GRU_H + j]; }
          for (var k = 0; k < GRU_H; k = k + 1) { an = an + gruRh[k] * gruU[k * GRU_3H + 2 * GRU_H + j]; }
          let n = 2.0 * gruSigmoid(2.0 * an) - 1.0;
          let h = gruHs[j] + gruZ[j] * (n - gruHs[j]);
          gruHNew[j] = h;
          result[r0 * GRU_C + j] = h;
          result[r0 * GRU_C + 3 * GRU_H + j] = n;
        }
        workgroupBarrier();
        for (var j = lid; j < GRU_H; j = j + GRU_THREADS) { gruHs[j] = gruHNew[j]; }
        workgroupBarrier();
      }
    }`,
  };
}

/**
 * Backpropagation through time in one dispatch, from `gruDy [T, B, H]` (the loss's gradient for
 * every hidden state), `gruH0`, the forward's packed output `gruFwd` and `gruU [H, 3H]`. Output
 * `[T·B + B, 3H]`: per step and trial the gradients of the gates' pre-activations (z, r, n), then
 * per trial the gradient of h0 in the first H columns. The weights' and inputs' gradients follow
 * from these by matrix products over all steps at once, outside the recurrence.
 */
export function gruAdjointProgram(s: Sizes): WebGpuProgram {
  return {
    variableNames: ['gruDy', 'gruH0', 'gruFwd', 'gruU'],
    outputShape: [(s.steps + 1) * s.batch, 3 * s.hidden],
    shaderKey: key('metagradGruAdjoint', s),
    dispatch: [s.batch, 1, 1],
    ...perTrial(),
    getUserCode: () => `
    ${constants(s)}
    var<workgroup> gruDh: array<f32, ${s.hidden}>;
    var<workgroup> gruDz: array<f32, ${s.hidden}>;
    var<workgroup> gruDr: array<f32, ${s.hidden}>;
    var<workgroup> gruDn: array<f32, ${s.hidden}>;
    var<workgroup> gruPart: array<f32, ${s.hidden}>;
    fn gruPrevious(r0: i32, t: i32, trial: i32, j: i32) -> f32 {
      if (t == 0) { return gruH0[trial * GRU_H + j]; }
      return gruFwd[(r0 - GRU_B) * GRU_C + j];
    }
    fn main(index: i32) {
      ${KEEP_UNIFORMS}
      let trial = i32(workgroupId.x);
      let lid = i32(localId.x);
      for (var j = lid; j < GRU_H; j = j + GRU_THREADS) { gruDh[j] = 0.0; }
      workgroupBarrier();
      for (var step = 0; step < GRU_T; step = step + 1) {
        let t = GRU_T - 1 - step;
        let r0 = t * GRU_B + trial;
        for (var j = lid; j < GRU_H; j = j + GRU_THREADS) {
          let dh = gruDh[j] + gruDy[r0 * GRU_H + j];
          let z = gruFwd[r0 * GRU_C + GRU_H + j];
          let n = gruFwd[r0 * GRU_C + 3 * GRU_H + j];
          let previous = gruPrevious(r0, t, trial, j);
          gruDn[j] = dh * z * (1.0 - n * n);
          gruDz[j] = dh * (n - previous) * z * (1.0 - z);
          gruPart[j] = dh * (1.0 - z);
        }
        workgroupBarrier();
        for (var j = lid; j < GRU_H; j = j + GRU_THREADS) {
          var dRh = 0.0;
          for (var k = 0; k < GRU_H; k = k + 1) { dRh = dRh + gruDn[k] * gruU[j * GRU_3H + 2 * GRU_H + k]; }
          let r = gruFwd[r0 * GRU_C + 2 * GRU_H + j];
          gruDr[j] = dRh * gruPrevious(r0, t, trial, j) * r * (1.0 - r);
          gruPart[j] = gruPart[j] + dRh * r;
        }
        workgroupBarrier();
        for (var j = lid; j < GRU_H; j = j + GRU_THREADS) {
          var dPrevious = gruPart[j];
          for (var k = 0; k < GRU_H; k = k + 1) {
            dPrevious = dPrevious + gruDz[k] * gruU[j * GRU_3H + k] + gruDr[k] * gruU[j * GRU_3H + GRU_H + k];
          }
          result[r0 * GRU_3H + j] = gruDz[j];
          result[r0 * GRU_3H + GRU_H + j] = gruDr[j];
          result[r0 * GRU_3H + 2 * GRU_H + j] = gruDn[j];
          gruDh[j] = dPrevious;
        }
        workgroupBarrier();
      }
      for (var j = lid; j < GRU_H; j = j + GRU_THREADS) { result[(GRU_T * GRU_B + trial) * GRU_3H + j] = gruDh[j]; }
    }`,
  };
}
