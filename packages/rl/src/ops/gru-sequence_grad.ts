import * as tf from '@tensorflow/tfjs';
import {
  GRU_SEQUENCE,
  GRU_SEQUENCE_GRAD,
  type GruSequenceAttrs,
  type GruSequenceGradAttrs,
  gruInputNames,
} from './gru-sequence-kernel.js';

/**
 * The gradient of the fused GRU sequence: one run of the adjoint kernel (backpropagation through
 * time) on the forward's snapshot gives the gradients of every input, which the closures hand out.
 * Only the snapshot handle is saved: tfjs keeps no copy of inputs or activations.
 */
tf.registerGradient({
  kernelName: GRU_SEQUENCE,
  outputsToSave: [false, true],
  gradFunc: (dy, saved, attrs) => {
    const forward = attrs as unknown as GruSequenceAttrs;
    const [handle] = saved as [tf.Tensor];
    const gradAttrs: GruSequenceGradAttrs = { ...forward, snapshot: handle.dataSync()[0]! };
    // Run now: tfjs calls each closure inside its own tidy, which would dispose the other outputs.
    const grads = tf
      .engine()
      .runKernel(
        GRU_SEQUENCE_GRAD,
        { dHidden: (dy as tf.Tensor[])[0]! },
        gradAttrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor[];
    return Object.fromEntries(gruInputNames(forward.embedding).map((name, i) => [name, () => grads[i]!]));
  },
});
