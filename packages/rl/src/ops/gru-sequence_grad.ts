import * as tf from '@tensorflow/tfjs';
import {
  GRU_SEQUENCE,
  GRU_SEQUENCE_GRAD,
  type GruSequenceAttrs,
  gruInputNames,
} from './gru-sequence-kernel.js';

/**
 * The gradient of the fused GRU sequence: one run of the adjoint kernel (backpropagation through
 * time) gives the gradients of every input, which the closures hand out by input index.
 */
tf.registerGradient({
  kernelName: GRU_SEQUENCE,
  saveAllInputs: true,
  outputsToSave: [true, true, true],
  gradFunc: (dy, saved, attrs) => {
    const { embedding } = attrs as unknown as GruSequenceAttrs;
    const names = gruInputNames(embedding);
    const inputs: tf.NamedTensorMap = {};
    names.forEach((name, i) => {
      inputs[name] = saved[i]!;
    });
    inputs.hidden = saved[names.length]!;
    inputs.gates = saved[names.length + 1]!;
    if (embedding) inputs.embedded = saved[names.length + 2]!;
    inputs.dHidden = (dy as tf.Tensor[])[0]!;
    // Run now: tfjs calls each closure inside its own tidy, which would dispose the other outputs.
    const grads = tf.engine().runKernel(GRU_SEQUENCE_GRAD, inputs, attrs) as tf.Tensor[];
    return Object.fromEntries(names.map((_, i) => [String(i), () => grads[i]!]));
  },
});
