import { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { conjugateGradient } from './conjugate-gradient.js';
import { GruPolicy } from './gru-policy.js';
import { lineSearch, policyVariables, type TrpoBatch, TrpoProblem, trialLogits, trpoStep } from './trpo.js';

const STEPS = 6;
const TRIALS = 16;
const shape = { inputSize: 7, hidden: 8, actions: 3 };

function normals(rng: Rng, size: number): Float64Array {
  return Float64Array.from({ length: size }, () => rng.normal());
}

function makeBatch(rng: Rng): TrpoBatch {
  const rows = STEPS * TRIALS;
  return {
    inputs: tf.tensor3d(Float32Array.from(normals(rng.child('inputs'), rows * shape.inputSize)), [
      STEPS,
      TRIALS,
      shape.inputSize,
    ]),
    actions: tf.tensor1d(Array.from({ length: rows }, () => rng.int(shape.actions))),
    advantages: tf.tensor1d(Float32Array.from(normals(rng.child('advantages'), rows))),
  };
}

function norm(v: Float64Array): number {
  return Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
}

function weightsOf(policy: GruPolicy): Float32Array[] {
  return policy.variables.map((v) => Float32Array.from(v.dataSync()));
}

/** Mean KL(π_a ‖ π_b) over rows, from logits, in float64 on the host. */
function meanKl(a: tf.Tensor2D, b: tf.Tensor2D): number {
  const [rows, actions] = a.shape;
  const x = a.dataSync();
  const y = b.dataSync();
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const logSumExp = (z: ArrayLike<number>) => {
      let max = -Infinity;
      for (let j = 0; j < actions; j++) max = Math.max(max, z[r * actions + j]!);
      let sum = 0;
      for (let j = 0; j < actions; j++) sum += Math.exp(z[r * actions + j]! - max);
      return max + Math.log(sum);
    };
    const la = logSumExp(x);
    const lb = logSumExp(y);
    for (let j = 0; j < actions; j++) {
      const logP = x[r * actions + j]! - la;
      total += Math.exp(logP) * (logP - (y[r * actions + j]! - lb));
    }
  }
  return total / rows;
}

describe('conjugate gradient', () => {
  it('solves a symmetric positive-definite system in n steps', async () => {
    const rng = new Rng('cg');
    const n = 6;
    const m = Array.from({ length: n }, () => normals(rng, n));
    // A = MᵀM + I.
    const a = Array.from({ length: n }, (_, i) =>
      Float64Array.from({ length: n }, (_, j) =>
        m.reduce((s, row) => s + row[i]! * row[j]!, i === j ? 1 : 0),
      ),
    );
    const apply = (v: Float64Array) =>
      Float64Array.from(a, (row) => row.reduce((s, x, j) => s + x * v[j]!, 0));
    const b = normals(rng, n);
    const { x, residual } = await conjugateGradient(apply, b, n);
    expect(residual).toBeLessThan(1e-8);
    const ax = apply(x);
    for (const [i, v] of ax.entries()) expect(v).toBeCloseTo(b[i]!, 8);
  });
});

describe('TRPO', () => {
  const batch = makeBatch(new Rng('batch'));
  afterAll(() => tf.dispose(Object.values(batch)));

  it('Fisher-vector products match a finite-difference Hessian-vector product of the mean KL (1e-3)', async () => {
    const policy = new GruPolicy(shape, new Rng('fvp'));
    const problem = await TrpoProblem.create(policy, batch);
    const variables = policyVariables(policy);
    const v = normals(new Rng('direction'), problem.theta.length);
    const fisher = await problem.fisherVectorProduct(v, 0);
    // ∇ of KL(π_old ‖ π_θ) by tfjs autodiff, at θ_old + h v.
    const oldLogits = trialLogits(policy, batch.inputs);
    const klGradientAt = (h: number) => {
      let offset = 0;
      for (const variable of variables) {
        const part = Float32Array.from(
          problem.theta.subarray(offset, offset + variable.size),
          (w, i) => w + h * v[offset + i]!,
        );
        variable.assign(tf.tensor(part, variable.shape));
        offset += variable.size;
      }
      const { grads } = tf.variableGrads(() => {
        const oldLogP = tf.logSoftmax(oldLogits);
        const logP = tf.logSoftmax(trialLogits(policy, batch.inputs, true));
        return tf.mean(tf.sum(tf.mul(tf.exp(oldLogP), tf.sub(oldLogP, logP)), -1)) as tf.Scalar;
      }, variables);
      const flat = Float64Array.from(
        variables.flatMap((variable) => Array.from(grads[variable.name]!.dataSync())),
      );
      tf.dispose(Object.values(grads));
      return flat;
    };
    // Central differences at h and h/2, combined by Richardson extrapolation (error O(h⁴)).
    const central = (h: number) => {
      const plus = klGradientAt(h);
      const minus = klGradientAt(-h);
      return plus.map((p, i) => (p - minus[i]!) / (2 * h));
    };
    const h = 2e-2;
    const coarse = central(h);
    const fine = central(h / 2);
    const hessian = fine.map((f, i) => (4 * f - coarse[i]!) / 3);
    const error = norm(fisher.map((f, i) => f - hessian[i]!)) / norm(hessian);
    expect(error).toBeLessThan(1e-3);
    oldLogits.dispose();
    problem.dispose();
    policy.dispose();
  });

  it('Fisher-vector products over a subset of trials are those of a batch of only those trials', async () => {
    const policy = new GruPolicy(shape, new Rng('subset'));
    const trials = [1, 4, 5, 11];
    const whole = await TrpoProblem.create(policy, batch, trials);
    const sub = {
      inputs: tf.gather(batch.inputs, trials, 1) as tf.Tensor3D,
      actions: tf.zeros([STEPS * trials.length]) as tf.Tensor1D,
      advantages: tf.zeros([STEPS * trials.length]) as tf.Tensor1D,
    };
    const only = await TrpoProblem.create(policy, sub);
    const v = normals(new Rng('subset-direction'), whole.theta.length);
    const a = await whole.fisherVectorProduct(v, 0.1);
    const b = await only.fisherVectorProduct(v, 0.1);
    expect(norm(a!.map((x, i) => x - b![i]!)) / norm(b!)).toBeLessThan(1e-6);
    [whole, only].forEach((p) => {
      p.dispose();
    });
    tf.dispose(Object.values(sub));
    policy.dispose();
  });

  it('an accepted step stays inside the trust region and improves the surrogate', async () => {
    const policy = new GruPolicy(shape, new Rng('step'));
    const tensors = tf.memory().numTensors;
    const before = trialLogits(policy, batch.inputs);
    const settings = { maxKl: 0.01, cgIterations: 10, cgDamping: 0.01, backtracks: 10, backtrackRatio: 0.8 };
    const problem = await TrpoProblem.create(policy, batch);
    const report = await trpoStep(policy, problem, settings);
    problem.dispose();
    expect(report.accepted).toBe(true);
    const after = trialLogits(policy, batch.inputs);
    const kl = meanKl(before, after);
    // The reported KL is the one the new weights have, and it is within the bound.
    expect(kl).toBeLessThanOrEqual(settings.maxKl);
    expect(report.kl).toBeCloseTo(kl, 5);
    expect(report.surrogateGain).toBeGreaterThan(0);
    // The quadratic model puts the full step near the boundary: it is not a vanishing step.
    expect(kl).toBeGreaterThan(0.1 * settings.maxKl);
    tf.dispose([before, after]);
    expect(tf.memory().numTensors).toBe(tensors);
    policy.dispose();
  });

  it('rejects and reports a step that would leave the trust region, and moves nothing', async () => {
    const policy = new GruPolicy(shape, new Rng('reject'));
    const problem = await TrpoProblem.create(policy, batch);
    const g = await problem.surrogateGradient();
    // Along the gradient, far beyond the region, with no backtracking to rescue it.
    const scale = 50 / norm(g);
    const before = weightsOf(policy);
    const report = await lineSearch(
      problem,
      g.map((x) => x * scale),
      g,
      { maxKl: 0.01, backtracks: 0, backtrackRatio: 0.8 },
    );
    expect(report.accepted).toBe(false);
    expect(report.rejectedFor).toBe('kl');
    expect(report.step).toBeNull();
    expect(report.kl).toBeGreaterThan(0.01);
    expect(weightsOf(policy)).toEqual(before);
    problem.dispose();
    policy.dispose();
  });
});
