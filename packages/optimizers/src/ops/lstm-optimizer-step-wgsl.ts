import { KEEP_UNIFORMS, type WebGpuProgram } from '@metagrad/core';
import type { LstmOptimizerStepAttrs } from './lstm-optimizer-step-kernel.js';

/** Threads per workgroup; each thread owns one coordinate (the optimizer is coordinatewise). */
const THREADS = 64;

type Sizes = Pick<LstmOptimizerStepAttrs, 'layers' | 'preprocessK' | 'coordinates' | 'outputs'>;

/**
 * Where everything sits in the flat buffers the shaders read and write: the weights (each layer's
 * kernel `[4H, I + H + 1]`, then the head's weight and bias), the states (h then c of each layer,
 * rows of N), and the forward's output rows (the two LogAndSign features, then per layer the gates
 * i, f, o, g, tanh(c'), h' and c', then the head's K outputs).
 */
export function stepLayout(s: Sizes) {
  const { layers, outputs } = s;
  const inputs = layers.map((_, l) => (l === 0 ? 2 : layers[l - 1]!));
  let weight = 0;
  let state = 0;
  let row = 2;
  const perLayer = layers.map((units, l) => {
    const at = { kernel: weight, h: state, c: state + units, rows: row, width: inputs[l]! + units + 1 };
    weight += 4 * units * at.width;
    state += 2 * units;
    row += 7 * units;
    return at;
  });
  const headW = weight;
  const headB = headW + outputs * layers[layers.length - 1]!;
  return {
    inputs,
    perLayer,
    headW,
    headB,
    weights: headB + outputs,
    stateRows: state,
    headRows: row,
    forwardRows: row + outputs,
  };
}

const f32 = (x: number) => {
  const text = String(Math.fround(x));
  return /[.e]/.test(text) ? text : `${text}.0`;
};

function key(name: string, s: Sizes): string {
  return `${name}_${s.layers.join('x')}_${s.coordinates}_${s.outputs}_${s.preprocessK}`;
}

function perCoordinate(s: Sizes): Pick<WebGpuProgram, 'dispatchLayout' | 'dispatch' | 'workgroupSize'> {
  return {
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(s.coordinates / THREADS), 1, 1],
    workgroupSize: [THREADS, 1, 1],
  };
}

const SIGMOID = 'fn lstmSigmoid(a: f32) -> f32 { return 1.0 / (1.0 + exp(-a)); }';

/**
 * The whole step in one dispatch, one thread per coordinate: inputs `lstmGradient [1, N]`,
 * `lstmStates [2ΣH, N]` and `lstmWeights` (flat, see {@link stepLayout}); output `[R, N]` with every
 * activation the adjoint needs. tanh is 2σ(2a) − 1, as the composite computes it.
 */
export function lstmForwardProgram(s: Sizes): WebGpuProgram {
  const at = stepLayout(s);
  const n = s.coordinates;
  const widest = Math.max(2, ...s.layers);
  const layerCode = s.layers.map((units, l) => {
    const p = at.perLayer[l]!;
    const inputs = at.inputs[l]!;
    return `
      for (var j = 0; j < ${4 * units}; j = j + 1) {
        let row = ${p.kernel} + j * ${p.width};
        var a = lstmWeights[row + ${inputs + units}];
        for (var m = 0; m < ${inputs}; m = m + 1) { a = a + lstmWeights[row + m] * x[m]; }
        for (var m = 0; m < ${units}; m = m + 1) {
          a = a + lstmWeights[row + ${inputs} + m] * lstmStates[(${p.h} + m) * ${n} + coordinate];
        }
        gates[j] = select(lstmSigmoid(a), 2.0 * lstmSigmoid(2.0 * a) - 1.0, j >= ${3 * units});
        result[(${p.rows} + j) * ${n} + coordinate] = gates[j];
      }
      for (var j = 0; j < ${units}; j = j + 1) {
        let c = gates[${units} + j] * lstmStates[(${p.c} + j) * ${n} + coordinate] + gates[j] * gates[${3 * units} + j];
        let tc = 2.0 * lstmSigmoid(2.0 * c) - 1.0;
        let h = gates[${2 * units} + j] * tc;
        result[(${p.rows + 4 * units} + j) * ${n} + coordinate] = tc;
        result[(${p.rows + 5 * units} + j) * ${n} + coordinate] = h;
        result[(${p.rows + 6 * units} + j) * ${n} + coordinate] = c;
        x[j] = h;
      }`;
  });
  const top = s.layers[s.layers.length - 1]!;
  return {
    variableNames: ['lstmGradient', 'lstmStates', 'lstmWeights'],
    outputShape: [at.forwardRows, n],
    shaderKey: key('metagradLstmStepForward', s),
    ...perCoordinate(s),
    getUserCode: () => `
    ${SIGMOID}
    fn main(index: i32) {
      ${KEEP_UNIFORMS}
      let coordinate = index;
      if (coordinate >= ${n}) { return; }
      var x: array<f32, ${widest}>;
      var gates: array<f32, ${4 * Math.max(...s.layers)}>;
      let g = lstmGradient[coordinate];
      x[0] = log(max(abs(g), ${f32(Math.exp(-s.preprocessK))})) * ${f32(1 / s.preprocessK)};
      x[1] = clamp(g * ${f32(Math.exp(s.preprocessK))}, -1.0, 1.0);
      result[coordinate] = x[0];
      result[${n} + coordinate] = x[1];
      ${layerCode.join('\n')}
      for (var k = 0; k < ${s.outputs}; k = k + 1) {
        var out = lstmWeights[${at.headB} + k];
        for (var m = 0; m < ${top}; m = m + 1) { out = out + lstmWeights[${at.headW} + k * ${top} + m] * x[m]; }
        result[(${at.headRows} + k) * ${n} + coordinate] = out;
      }
    }`,
  };
}

/** Rows of the adjoint's output: each layer's gate pre-activation gradients, the states', the gradient's. */
export function adjointLayout(s: Sizes) {
  const gates: number[] = [];
  let row = 0;
  for (const units of s.layers) {
    gates.push(row);
    row += 4 * units;
  }
  const states = row;
  const stateRows = stepLayout(s).stateRows;
  return { gates, states, gradient: states + stateRows, rows: states + stateRows + 1 };
}

/**
 * Backpropagation through the step in one dispatch, one thread per coordinate, from the output's
 * gradient `lstmDOut [K, N]`, the next states' `lstmDStates [2ΣH, N]`, the states, the forward's rows
 * `lstmFwd` and the weights. Output (see {@link adjointLayout}): the gradients of each layer's gate
 * pre-activations (the weights' gradients are products of these with the layer inputs, over all
 * coordinates at once), of the input states, and of the gradient through LogAndSign (as tfjs
 * differentiates max, abs and clip).
 */
export function lstmAdjointProgram(s: Sizes): WebGpuProgram {
  const at = stepLayout(s);
  const out = adjointLayout(s);
  const n = s.coordinates;
  const top = s.layers[s.layers.length - 1]!;
  const widest = Math.max(2, ...s.layers);
  const layerCode = s.layers.map((units, l) => {
    const p = at.perLayer[l]!;
    const inputs = at.inputs[l]!;
    const fwd = (offset: number, j = 'j') => `lstmFwd[(${p.rows + offset} + ${j}) * ${n} + coordinate]`;
    const below = l > 0 ? at.perLayer[l - 1]! : undefined;
    return `
      for (var j = 0; j < ${units}; j = j + 1) {
        let i = ${fwd(0)}; let f = ${fwd(units)}; let o = ${fwd(2 * units)}; let gg = ${fwd(3 * units)};
        let tc = ${fwd(4 * units)};
        let dh = dx[j];
        let dc = lstmDStates[(${p.c} + j) * ${n} + coordinate] + dh * o * (1.0 - tc * tc);
        let c = lstmStates[(${p.c} + j) * ${n} + coordinate];
        da[j] = dc * gg * i * (1.0 - i);
        da[${units} + j] = dc * c * f * (1.0 - f);
        da[${2 * units} + j] = dh * tc * o * (1.0 - o);
        da[${3 * units} + j] = dc * i * (1.0 - gg * gg);
        result[(${out.states + p.c} + j) * ${n} + coordinate] = dc * f;
      }
      for (var r = 0; r < ${4 * units}; r = r + 1) { result[(${out.gates[l]} + r) * ${n} + coordinate] = da[r]; }
      for (var m = 0; m < ${inputs + units}; m = m + 1) {
        var sum = 0.0;
        for (var r = 0; r < ${4 * units}; r = r + 1) { sum = sum + lstmWeights[${p.kernel} + r * ${p.width} + m] * da[r]; }
        if (m < ${inputs}) {
          dx[m] = sum${below ? ` + lstmDStates[(${below.h} + m) * ${n} + coordinate]` : ''};
        } else {
          result[(${out.states + p.h} + m - ${inputs}) * ${n} + coordinate] = sum;
        }
      }`;
  });
  return {
    variableNames: ['lstmDOut', 'lstmDStates', 'lstmStates', 'lstmFwd', 'lstmWeights', 'lstmGradient'],
    outputShape: [out.rows, n],
    shaderKey: key('metagradLstmStepAdjoint', s),
    ...perCoordinate(s),
    getUserCode: () => `
    fn main(index: i32) {
      ${KEEP_UNIFORMS}
      let coordinate = index;
      if (coordinate >= ${n}) { return; }
      var dx: array<f32, ${widest}>;
      var da: array<f32, ${4 * Math.max(...s.layers)}>;
      for (var m = 0; m < ${top}; m = m + 1) {
        var sum = lstmDStates[(${at.perLayer[s.layers.length - 1]!.h} + m) * ${n} + coordinate];
        for (var k = 0; k < ${s.outputs}; k = k + 1) {
          sum = sum + lstmWeights[${at.headW} + k * ${top} + m] * lstmDOut[k * ${n} + coordinate];
        }
        dx[m] = sum;
      }
      ${layerCode.reverse().join('\n')}
      let g = lstmGradient[coordinate];
      let floor = ${f32(Math.exp(-s.preprocessK))};
      let scaled = g * ${f32(Math.exp(s.preprocessK))};
      let sign = select(-1.0, 1.0, g > 0.0);
      let dLog = select(0.0, dx[0] * ${f32(1 / s.preprocessK)} / max(abs(g), floor) * sign, abs(g) >= floor);
      let dSign = select(0.0, dx[1] * ${f32(Math.exp(s.preprocessK))}, scaled >= -1.0 && scaled <= 1.0);
      result[${out.gradient} * ${n} + coordinate] = dLog + dSign;
    }`,
  };
}
