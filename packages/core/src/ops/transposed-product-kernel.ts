import type * as tf from '@tensorflow/tfjs';
import { recurrentKernels } from '../kernels/recurrent-kernels.js';
import { type FusedKernelFactory, registerFusedKernel } from '../kernels/register-fused-kernel.js';
import { tensorIO } from '../kernels/tensor-io.js';

/** tfjs kernel name of aᵀ·b for 2-D a `[k × m]` and b `[k × n]`. */
export const TRANSPOSED_PRODUCT = 'MetagradTransposedProduct';

type KernelArgs = Parameters<ReturnType<FusedKernelFactory>>[0];

/**
 * aᵀ·b by the kernel module's GEMM, which reads a transposed in place. The GEMM vectorises along
 * its output's rows, so a narrow b (a policy head's few actions) gives (bᵀ·a)ᵀ instead: rows of the
 * tall a as the vectors, and a transpose of the small result.
 */
const product: FusedKernelFactory = (backendName) => (args: KernelArgs) => {
  const io = tensorIO(args.backend, backendName);
  const a = args.inputs.a as tf.TensorInfo;
  const b = args.inputs.b as tf.TensorInfo;
  const [k, m] = a.shape as [number, number];
  const n = b.shape[1]!;
  const kernels = recurrentKernels();
  const gemm = kernels.exports;
  kernels.reset();
  const pa = kernels.put(io.read(a));
  const pb = kernels.put(io.read(b));
  const pc = kernels.alloc(m * n);
  if (n >= 8 || n >= m) {
    gemm.gemm(m, n, k, pa, 1, m, pb, n, pc, n, 0);
  } else {
    const swapped = kernels.alloc(n * m);
    gemm.gemm(n, m, k, pb, 1, n, pa, m, swapped, m, 0);
    gemm.transpose(n, m, swapped, m, pc);
  }
  return [io.write([m, n], kernels.view(pc, m * n))];
};

registerFusedKernel(TRANSPOSED_PRODUCT, product);
