import {
  type FusedKernelFactory,
  type RecurrentKernelExports,
  recurrentKernels,
  registerFusedKernel,
  tensorIO,
} from '@metagrad/core';
import type * as tf from '@tensorflow/tfjs';

/** tfjs kernel name of the fused PPO heads and loss (forward and gradient in one run). */
export const PPO_HEAD_LOSS = 'MetagradPpoHeadLoss';

/** Attributes of the fused PPO heads and loss. */
export interface PpoHeadLossAttrs {
  clip: number;
  valueCoefficient: number;
  entropyCoefficient: number;
  /** Multiplies every gradient (1 / rows for a mean). */
  scale: number;
  /** Whether the policy terms (surrogate, entropy) are differentiated. */
  policy: boolean;
  /** Whether the value term is differentiated. */
  value: boolean;
}

/** Input names, in order: the features `[R, H]`, the heads' weights and biases, then the targets `[R]`. */
export const PPO_HEAD_LOSS_INPUTS = [
  'features',
  'policyW',
  'policyB',
  'valueW',
  'valueB',
  'actions',
  'oldLogProbs',
  'advantages',
  'returns',
] as const;

type KernelArgs = Parameters<ReturnType<FusedKernelFactory>>[0];

/**
 * Outputs: the sums over rows of −surrogate, squared value error and entropy `[3]`, then the
 * gradients of the features `[R, H]`, policyW `[H, A]`, policyB `[A]`, valueW `[H, 1]`, valueB `[1]`.
 *
 * Both heads are one product: y = F·[W_π | W_v] `[R × (A + 1)]` (rows of F against rows of the
 * packed Wᵀ, along H), so F crosses into kernel memory once and is read once each way.
 */
const headLoss: FusedKernelFactory = (backendName) => (args: KernelArgs) => {
  const attrs = args.attrs as unknown as PpoHeadLossAttrs;
  const io = tensorIO(args.backend, backendName);
  const input = (name: (typeof PPO_HEAD_LOSS_INPUTS)[number]) => args.inputs[name] as tf.TensorInfo;
  const [rows, hidden] = input('features').shape as [number, number];
  const actions = input('policyW').shape[1]!;
  const width = actions + 1;
  const kernels = recurrentKernels();
  const k: RecurrentKernelExports = kernels.exports;
  kernels.reset();
  const put = (name: (typeof PPO_HEAD_LOSS_INPUTS)[number]) => kernels.put(io.read(input(name)));
  const features = put('features');
  const policyW = put('policyW');
  const valueW = put('valueW');
  const [chosen, oldLogProbs, advantages, returns] = (
    ['actions', 'oldLogProbs', 'advantages', 'returns'] as const
  ).map(put) as [number, number, number, number];
  // Wᵀ packed `[(A + 1) × H]`: the policy weight's columns, then the value weight; biases side by side.
  const weightsT = kernels.alloc(width * hidden);
  k.transpose(hidden, actions, policyW, actions, weightsT);
  kernels.view(weightsT + actions * hidden * 4, hidden).set(kernels.view(valueW, hidden));
  const bias = kernels.alloc(width);
  kernels.view(bias, width).set([...io.read(input('policyB')), ...io.read(input('valueB'))]);
  const y = kernels.alloc(rows * width);
  const dy = kernels.alloc(rows * width);
  const sums = kernels.alloc(3);
  k.gemmNT(rows, width, hidden, features, hidden, weightsT, hidden, y, width, 0);
  k.ppoLossRows(
    rows,
    actions,
    y,
    bias,
    chosen,
    oldLogProbs,
    advantages,
    returns,
    attrs.clip,
    attrs.valueCoefficient,
    attrs.entropyCoefficient,
    attrs.scale,
    attrs.policy ? 1 : 0,
    attrs.value ? 1 : 0,
    dy,
    sums,
  );
  // y = F·W, so dF = dy·Wᵀ (the packed matrix) and dWᵀ = dyᵀ·F (dy read transposed in place).
  const dFeatures = kernels.alloc(rows * hidden);
  k.gemm(rows, hidden, width, dy, width, 1, weightsT, hidden, dFeatures, hidden, 0);
  const dWeightsT = kernels.alloc(width * hidden);
  k.gemm(width, hidden, rows, dy, 1, width, features, hidden, dWeightsT, hidden, 0);
  const dBias = kernels.alloc(width);
  k.colSums(rows, width, dy, width, dBias, 0);
  const dPolicyW = kernels.alloc(hidden * actions);
  k.transpose(actions, hidden, dWeightsT, hidden, dPolicyW);
  const out = (address: number, shape: number[]) =>
    io.write(
      shape,
      kernels.view(
        address,
        shape.reduce((a, b) => a * b, 1),
      ),
    );
  return [
    out(sums, [3]),
    out(dFeatures, [rows, hidden]),
    out(dPolicyW, [hidden, actions]),
    out(dBias, [actions]),
    out(dWeightsT + actions * hidden * 4, [hidden, 1]),
    out(dBias + actions * 4, [1]),
  ];
};

registerFusedKernel(PPO_HEAD_LOSS, headLoss);
