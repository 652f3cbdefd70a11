import type * as tf from '@tensorflow/tfjs';
import { recurrentKernels } from '../kernels/recurrent-kernels.js';
import { type FusedKernelFactory, registerFusedKernel } from '../kernels/register-fused-kernel.js';
import { tensorIO } from '../kernels/tensor-io.js';

/**
 * tfjs kernel name of a[i]·b[i] for every i of 3-D a `[N × m × k]` (or `[N × k × m]` read
 * transposed, attribute `transposeA`) and b `[N × k × n]`.
 */
export const BATCHED_PRODUCT = 'MetagradBatchedProduct';

type KernelArgs = Parameters<ReturnType<FusedKernelFactory>>[0];

/** One GEMM of the kernel module per matrix pair; it reads a transposed in place through its strides. */
const product: FusedKernelFactory = (backendName) => (args: KernelArgs) => {
  const io = tensorIO(args.backend, backendName);
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  const transposeA = Boolean(args.attrs?.transposeA);
  const [count, rows, cols] = a.shape as [number, number, number];
  const [m, k] = transposeA ? [cols, rows] : [rows, cols];
  const n = b.shape[2]!;
  const kernels = recurrentKernels();
  const gemm = kernels.exports;
  kernels.reset();
  const pa = kernels.put(io.read(a));
  const pb = kernels.put(io.read(b));
  const pc = kernels.alloc(count * m * n);
  const [rowStride, colStride] = transposeA ? [1, m] : [k, 1];
  for (let i = 0; i < count; i++)
    gemm.gemm(
      m,
      n,
      k,
      pa + 4 * i * m * k,
      rowStride,
      colStride,
      pb + 4 * i * k * n,
      n,
      pc + 4 * i * m * n,
      n,
      0,
    );
  return [io.write([count, m, n], kernels.view(pc, count * m * n))];
};

registerFusedKernel(BATCHED_PRODUCT, product);
