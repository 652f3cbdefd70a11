import * as tf from '@tensorflow/tfjs';
import { FUSED_KERNEL_BACKENDS } from './tensor-io.js';

/** A fused kernel's body for one backend (it needs the backend's name to move data). */
export type FusedKernelFactory = (
  backendName: string,
) => (args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }) => tf.TensorInfo[];

/** Registers a fused kernel with tfjs on every backend that has fused kernels (once per thread). */
export function registerFusedKernel(kernelName: string, make: FusedKernelFactory): void {
  for (const backendName of FUSED_KERNEL_BACKENDS) {
    if (!tf.getKernel(kernelName, backendName)) {
      tf.registerKernel({
        kernelName,
        backendName,
        kernelFunc: make(backendName) as unknown as tf.KernelFunc,
      });
    }
  }
}
