import * as tf from '@tensorflow/tfjs';

interface WebGpuBackendLike {
  device: { limits: { maxStorageBuffersPerShaderStage: number } };
  disposeData(dataId: tf.DataId): void;
}

type AddNKernel = (args: {
  inputs: tf.TensorInfo[];
  backend: WebGpuBackendLike;
  attrs: object;
}) => tf.TensorInfo;

/**
 * Replaces tfjs-backend-webgpu's AddN with one that adds at most as many inputs per shader as a
 * device may bind. Its own binds every input as a storage buffer in one shader, and a WebGPU device
 * gets 8 storage buffers per stage unless it asks for more, so `tf.addN` of more than 7 tensors
 * (a meta-loss over 20 unrolled steps, the gradient norm over a network's weights) makes an invalid
 * pipeline and returns garbage. Partial sums of up to `limit − 1` inputs are added the same way.
 */
export function registerChunkedAddN(): void {
  const original = tf.getKernel('AddN', 'webgpu');
  if (!original || (original as { chunked?: true }).chunked) return;
  const addAll = original.kernelFunc as unknown as AddNKernel;
  const chunked: AddNKernel = ({ inputs, backend, attrs }) => {
    const tensors = Array.from(inputs);
    const perShader = backend.device.limits.maxStorageBuffersPerShaderStage - 1;
    if (tensors.length <= perShader) return addAll({ inputs: tensors, backend, attrs });
    const partials: tf.TensorInfo[] = [];
    for (let i = 0; i < tensors.length; i += perShader) {
      partials.push(addAll({ inputs: tensors.slice(i, i + perShader), backend, attrs }));
    }
    const sum = chunked({ inputs: partials, backend, attrs });
    for (const partial of partials) backend.disposeData(partial.dataId);
    return sum;
  };
  tf.unregisterKernel('AddN', 'webgpu');
  tf.registerKernel({
    kernelName: 'AddN',
    backendName: 'webgpu',
    kernelFunc: chunked as unknown as tf.KernelFunc,
    ...({ chunked: true } as object),
  });
}
