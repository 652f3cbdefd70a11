import { readScalars, readTensors } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { conjugateGradient } from './conjugate-gradient.js';
import type { GruPolicy } from './gru-policy.js';

/** TRPO's settings (Schulman et al. 2015; the RL² paper's algorithm, through rllab). */
export interface TrpoSettings {
  /** Trust region: the most mean KL(π_old ‖ π_new) a step may take. */
  maxKl: number;
  /** Conjugate-gradient iterations for F⁻¹g. */
  cgIterations: number;
  /** λ added to the Fisher matrix's diagonal (F + λI): keeps CG stable where F is nearly singular. */
  cgDamping: number;
  /** Line-search halvings tried after the full step (each scales the step by `backtrackRatio`). */
  backtracks: number;
  backtrackRatio: number;
}

/** Whole trials a TRPO step is computed on, time-major: inputs `[T, B, I]`, actions and advantages `[T·B]`. */
export interface TrpoBatch {
  inputs: tf.Tensor3D;
  actions: tf.Tensor1D;
  advantages: tf.Tensor1D;
}

/** What one TRPO step did, for the metrics. */
export interface TrpoStepReport {
  /** Whether a step was taken; when not, the policy is unchanged. */
  accepted: boolean;
  /** Why every candidate step was rejected: it left the trust region, did not improve, or was not finite. */
  rejectedFor: 'kl' | 'no-improvement' | 'non-finite' | null;
  /** Mean KL(π_old ‖ π_new) of the accepted step, or of the last candidate when none was accepted. */
  kl: number;
  /** Surrogate improvement L(θ_new) − L(θ_old) of that step. */
  surrogateGain: number;
  /** Its first-order prediction g·Δθ. */
  expectedGain: number;
  /** Candidates rejected before the accepted one (all tried ones when none was). */
  backtracks: number;
  /** ‖F x − g‖ / ‖g‖ after conjugate gradient. */
  cgResidual: number;
  /** Mean entropy of π_old over the batch's steps (nats). */
  entropy: number;
}

/**
 * What a TRPO step needs from its batch at θ_old, on this thread ({@link TrpoProblem}) or split
 * across gradient workers (`TrpoRunner`): each quantity is a mean over the batch's steps.
 */
export interface TrpoObjective {
  /** g = ∇L(θ_old). */
  surrogateGradient(): Float64Array | Promise<Float64Array>;
  /** F v + λ v. */
  fisherVectorProduct(v: Float64Array, damping: number): Float64Array | Promise<Float64Array>;
  /** Mean KL(π_old ‖ π_θ) and the surrogate gain L(θ) − L(θ_old) at θ = θ_old + step. */
  evaluate(step: Float64Array): { kl: number; gain: number } | Promise<{ kl: number; gain: number }>;
  /** Mean entropy of π_old (nats). */
  entropy(): number | Promise<number>;
}

/** The policy network's weights a TRPO step moves: everything but the value head. */
export function policyVariables(policy: GruPolicy): tf.Variable[] {
  return policy.weightNames.flatMap((name, i) => (name.startsWith('value') ? [] : [policy.variables[i]!]));
}

/** Action logits `[T·B, A]` for whole trials; `differentiable` records the heads for a tape. */
export function trialLogits(policy: GruPolicy, inputs: tf.Tensor3D, differentiable = false): tf.Tensor2D {
  return tf.tidy(() => policy.policyHead(policy.features(inputs), differentiable));
}

/**
 * The weights of some variables as one flat vector, and the inverse: the vector space conjugate
 * gradient and the line search work in.
 */
export class FlatWeights {
  readonly sizes: number[];
  readonly size: number;
  constructor(readonly variables: tf.Variable[]) {
    this.sizes = variables.map((v) => v.size);
    this.size = this.sizes.reduce((a, b) => a + b, 0);
  }

  /** The current weights (one read from the backend). */
  async read(): Promise<Float64Array> {
    return this.join(await readTensors(this.variables));
  }

  write(values: Float64Array): void {
    let offset = 0;
    for (const v of this.variables) {
      const part = Float32Array.from(values.subarray(offset, offset + v.size));
      tf.tidy(() => v.assign(tf.tensor(part, v.shape)));
      offset += v.size;
    }
  }

  /** Gradients keyed by variable name, flattened in variable order (zero where a variable has none). */
  async flatten(grads: tf.NamedTensorMap): Promise<Float64Array> {
    const present = this.variables.filter((v) => grads[v.name]);
    const values = await readTensors(present.map((v) => grads[v.name]!));
    return this.join(this.variables.map((v) => values[present.indexOf(v)]));
  }

  /** Parts in variable order as one vector (zeros for a missing part). */
  private join(parts: (Float32Array | undefined)[]): Float64Array {
    const out = new Float64Array(this.size);
    let offset = 0;
    this.variables.forEach((v, i) => {
      const part = parts[i];
      if (part) out.set(part, offset);
      offset += v.size;
    });
    return out;
  }
}

/**
 * The natural-gradient machinery of one TRPO step on a batch of whole trials: the surrogate's
 * gradient g, Fisher-vector products F v, and the KL and surrogate of candidate weights. The
 * Fisher matrix of a categorical policy with logits z(θ) is F = Jᵀ M J / N, with J = ∂z/∂θ and
 * M = diag(π) − ππᵀ per step (the Hessian of the mean KL at θ_old). J v comes from a central
 * difference of the logits (two forward passes of the fused GRU: the kernel has no forward-mode
 * derivative and tfjs no second derivative of its sigmoid); Jᵀ u is one backward pass.
 * Fisher-vector products may use a subset of the trials (`fisherTrials`), as is usual for TRPO:
 * the curvature needs fewer samples than the gradient, and conjugate gradient costs most.
 */
export class TrpoProblem implements TrpoObjective {
  readonly weights: FlatWeights;
  private readonly oldLogProbs: tf.Tensor2D;
  private readonly oldProbs: tf.Tensor2D;
  private readonly oneHot: tf.Tensor2D;
  /** The trials Fisher-vector products average over: inputs `[T, b, I]` and π_old `[T·b, A]`. */
  private readonly fisher: { inputs: tf.Tensor3D; probs: tf.Tensor2D };

  /** The problem of `batch` at the policy's current weights θ_old. */
  static async create(policy: GruPolicy, batch: TrpoBatch, fisherTrials?: number[]): Promise<TrpoProblem> {
    const weights = new FlatWeights(policyVariables(policy));
    return new TrpoProblem(policy, batch, weights, await weights.read(), fisherTrials);
  }

  private constructor(
    private readonly policy: GruPolicy,
    private readonly batch: TrpoBatch,
    weights: FlatWeights,
    readonly theta: Float64Array,
    fisherTrials?: number[],
  ) {
    this.weights = weights;
    const logits = trialLogits(policy, batch.inputs);
    this.oldLogProbs = tf.logSoftmax(logits);
    this.oldProbs = tf.exp(this.oldLogProbs);
    logits.dispose();
    const actions = this.oldProbs.shape[1];
    this.oneHot = tf.tidy(
      () => tf.oneHot(batch.actions.asType('int32'), actions).asType('float32') as tf.Tensor2D,
    );
    const [steps, trials] = batch.inputs.shape;
    this.fisher = fisherTrials
      ? tf.tidy(() => {
          const index = tf.tensor1d(fisherTrials, 'int32');
          const probs = tf.gather(tf.reshape(this.oldProbs, [steps, trials, actions]), index, 1);
          return {
            inputs: tf.gather(batch.inputs, index, 1) as tf.Tensor3D,
            probs: tf.reshape(probs, [-1, actions]) as tf.Tensor2D,
          };
        })
      : { inputs: tf.clone(batch.inputs), probs: tf.clone(this.oldProbs) };
  }

  /** Jᵀ u / N over trials `inputs` (N steps), with u `[N, A]` a constant: one backward pass at θ_old. */
  private async vectorJacobian(inputs: tf.Tensor3D, u: tf.Tensor2D): Promise<Float64Array> {
    const { value, grads } = tf.variableGrads(
      () => tf.div(tf.sum(tf.mul(trialLogits(this.policy, inputs, true), u)), u.shape[0]) as tf.Scalar,
      this.weights.variables,
    );
    try {
      return await this.weights.flatten(grads);
    } finally {
      tf.dispose([value, ...Object.values(grads)]);
    }
  }

  /** Logits of trials `inputs` at θ_old + scale · shift (the variables are restored). */
  private logitsAt(inputs: tf.Tensor3D, shift: Float64Array, scale: number): tf.Tensor2D {
    this.weights.write(this.theta.map((w, i) => w + scale * shift[i]!));
    try {
      return trialLogits(this.policy, inputs);
    } finally {
      this.weights.write(this.theta);
    }
  }

  /** g = ∇L(θ_old) with L(θ) = mean(π_θ(a)/π_old(a) · A): Jᵀ[A ⊙ (onehot(a) − π)] / N. */
  async surrogateGradient(): Promise<Float64Array> {
    const u = tf.tidy(() =>
      tf.mul(tf.sub(this.oneHot, this.oldProbs), tf.reshape(this.batch.advantages, [-1, 1])),
    );
    try {
      return await this.vectorJacobian(this.batch.inputs, u as tf.Tensor2D);
    } finally {
      u.dispose();
    }
  }

  /** F v + λ v, F = Jᵀ M J / N at θ_old. */
  async fisherVectorProduct(v: Float64Array, damping: number): Promise<Float64Array> {
    let norm = 0;
    for (const x of v) norm = Math.max(norm, Math.abs(x));
    if (norm === 0) return new Float64Array(v.length);
    // A logit change of ~1e-3 per unit of the largest weight: small for the curvature, large for float32 rounding.
    const epsilon = 1e-3 / norm;
    const { inputs, probs } = this.fisher;
    const plus = this.logitsAt(inputs, v, epsilon);
    const minus = this.logitsAt(inputs, v, -epsilon);
    const u = tf.tidy(() => {
      const jv = tf.div(tf.sub(plus, minus), 2 * epsilon);
      // M (J v) row by row: π ⊙ Jv − π (π · Jv).
      const weighted = tf.mul(probs, jv);
      return tf.sub(weighted, tf.mul(probs, tf.sum(weighted, -1, true)));
    });
    tf.dispose([plus, minus]);
    const fv = await this.vectorJacobian(inputs, u as tf.Tensor2D);
    u.dispose();
    for (let i = 0; i < fv.length; i++) fv[i]! += damping * v[i]!;
    return fv;
  }

  /** Mean KL(π_old ‖ π_θ) over the batch's steps and the surrogate gain L(θ) − L(θ_old) at θ = θ_old + step. */
  async evaluate(step: Float64Array): Promise<{ kl: number; gain: number }> {
    const logits = this.logitsAt(this.batch.inputs, step, 1);
    const terms = tf.tidy(() => {
      const logP = tf.logSoftmax(logits);
      const kl = tf.mean(tf.sum(tf.mul(this.oldProbs, tf.sub(this.oldLogProbs, logP)), -1));
      const logRatio = tf.sum(tf.mul(this.oneHot, tf.sub(logP, this.oldLogProbs)), -1);
      // L(θ_old) = mean(A): every ratio is 1 there.
      const gain = tf.mean(tf.mul(tf.sub(tf.exp(logRatio), 1), this.batch.advantages));
      return [kl, gain];
    });
    logits.dispose();
    const [kl, gain] = await readScalars(terms);
    tf.dispose(terms);
    return { kl: kl!, gain: gain! };
  }

  /** Mean entropy of π_old (nats). */
  async entropy(): Promise<number> {
    const entropy = tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(this.oldProbs, this.oldLogProbs), -1))));
    const [value] = await readScalars([entropy]);
    entropy.dispose();
    return value!;
  }

  dispose(): void {
    tf.dispose([this.oldLogProbs, this.oldProbs, this.oneHot, this.fisher.inputs, this.fisher.probs]);
  }
}

/**
 * Backtracking line search along a proposed step: tries `full`, then `full · ratio^k` for k up to
 * `backtracks`, and returns the first candidate inside the trust region that improves the
 * surrogate (`step`), or `step: null` and why the last candidate failed. It moves nothing.
 */
export async function lineSearch(
  objective: TrpoObjective,
  full: Float64Array,
  gradient: Float64Array,
  settings: Pick<TrpoSettings, 'maxKl' | 'backtracks' | 'backtrackRatio'>,
): Promise<Omit<TrpoStepReport, 'cgResidual' | 'entropy'> & { step: Float64Array | null }> {
  let fullGain = 0;
  for (let i = 0; i < full.length; i++) fullGain += gradient[i]! * full[i]!;
  let last = { kl: Number.NaN, gain: Number.NaN };
  let rejectedFor: TrpoStepReport['rejectedFor'] = 'non-finite';
  for (let k = 0; k <= settings.backtracks; k++) {
    const fraction = settings.backtrackRatio ** k;
    const step = full.map((x) => x * fraction);
    last = await objective.evaluate(step);
    const finite = Number.isFinite(last.kl) && Number.isFinite(last.gain);
    rejectedFor = !finite
      ? 'non-finite'
      : last.kl > settings.maxKl
        ? 'kl'
        : last.gain <= 0
          ? 'no-improvement'
          : null;
    if (rejectedFor === null)
      return {
        accepted: true,
        rejectedFor,
        kl: last.kl,
        surrogateGain: last.gain,
        expectedGain: fullGain * fraction,
        backtracks: k,
        step,
      };
  }
  return {
    accepted: false,
    rejectedFor,
    kl: last.kl,
    surrogateGain: last.gain,
    expectedGain: fullGain * settings.backtrackRatio ** settings.backtracks,
    backtracks: settings.backtracks + 1,
    step: null,
  };
}

/**
 * One TRPO policy step (Schulman et al. 2015): the natural gradient x = (F + λI)⁻¹ g by conjugate
 * gradient on the objective's Fisher-vector products, scaled to the trust region's edge by the
 * quadratic model (Δθ = √(2δ / xᵀFx) · x), then a backtracking line search that only accepts steps
 * with mean KL ≤ δ that improve the surrogate; an accepted step moves `policy`. No entropy bonus.
 *
 * @example
 * ```ts
 * const problem = await TrpoProblem.create(policy, batch);
 * const report = await trpoStep(policy, problem, { maxKl: 0.01, cgIterations: 10, cgDamping: 0.01, backtracks: 15, backtrackRatio: 0.8 });
 * problem.dispose();
 * ```
 */
export async function trpoStep(
  policy: GruPolicy,
  objective: TrpoObjective,
  settings: TrpoSettings,
): Promise<TrpoStepReport> {
  const g = await objective.surrogateGradient();
  const fvp = (v: Float64Array) => objective.fisherVectorProduct(v, settings.cgDamping);
  const { x, residual } = await conjugateGradient(fvp, g, settings.cgIterations);
  const fx = await fvp(x);
  let curvature = 0;
  for (let i = 0; i < x.length; i++) curvature += x[i]! * fx[i]!;
  const scale = curvature > 0 ? Math.sqrt((2 * settings.maxKl) / curvature) : 0;
  const { step, ...report } = await lineSearch(
    objective,
    x.map((v) => v * scale),
    g,
    settings,
  );
  if (step) {
    const weights = new FlatWeights(policyVariables(policy));
    weights.write((await weights.read()).map((w, i) => w + step[i]!));
  }
  return { ...report, cgResidual: residual, entropy: await objective.entropy() };
}
