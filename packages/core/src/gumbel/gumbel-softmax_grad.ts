import * as tf from '@tensorflow/tfjs';
import {
  GUMBEL_SOFTMAX,
  GUMBEL_SOFTMAX_GRAD,
  type GumbelSoftmaxAttrs,
  type GumbelSoftmaxGradAttrs,
} from './gumbel-softmax-kernel.js';

/**
 * The gradient of the fused Gumbel-softmax, through the soft sample the forward kept (for a hard
 * sample too: the straight-through Gumbel estimator). Only the snapshot handle is saved.
 */
tf.registerGradient({
  kernelName: GUMBEL_SOFTMAX,
  outputsToSave: [false, true],
  gradFunc: (dy, saved, attrs) => {
    const forward = attrs as unknown as GumbelSoftmaxAttrs;
    const [handle] = saved as [tf.Tensor];
    const gradAttrs: GumbelSoftmaxGradAttrs = { ...forward, snapshot: handle.dataSync()[0]! };
    // Run now: tfjs calls each closure inside its own tidy, which would dispose the other output.
    const [dLogits, dTemperature] = tf
      .engine()
      .runKernel(
        GUMBEL_SOFTMAX_GRAD,
        { dy: (dy as tf.Tensor[])[0]! },
        gradAttrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
    const grads: Record<string, () => tf.Tensor> = { logits: () => dLogits! };
    if (forward.temperatureInput) grads.temperature = () => dTemperature!;
    return grads;
  },
});
