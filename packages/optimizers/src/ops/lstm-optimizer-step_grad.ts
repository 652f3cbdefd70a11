import * as tf from '@tensorflow/tfjs';
import {
  LSTM_OPTIMIZER_STEP,
  LSTM_OPTIMIZER_STEP_GRAD,
  type LstmOptimizerStepAttrs,
  type LstmOptimizerStepGradAttrs,
  lstmStepInputNames,
} from './lstm-optimizer-step-kernel.js';

/**
 * The gradient of the fused step: one run of the adjoint kernel on the forward's snapshot gives the
 * gradients of every input, which the closures hand out (tfjs asks only for those on a path to what
 * it differentiates). Only the snapshot handle is saved: tfjs keeps no copy of inputs or activations.
 */
tf.registerGradient({
  kernelName: LSTM_OPTIMIZER_STEP,
  outputsToSave: [false, true],
  gradFunc: (dy, saved, attrs) => {
    const forward = attrs as unknown as LstmOptimizerStepAttrs;
    const { layers } = forward;
    const [handle] = saved as [tf.Tensor];
    const dys = dy as tf.Tensor[];
    const inputs: tf.NamedTensorMap = { dLogits: dys[0]! };
    layers.forEach((_, l) => {
      inputs[`dh${l}`] = dys[2 + 2 * l]!;
      inputs[`dc${l}`] = dys[3 + 2 * l]!;
    });
    const gradAttrs: LstmOptimizerStepGradAttrs = {
      ...forward,
      snapshot: handle.dataSync()[0]!,
    };
    // Run now, not in the first closure: tfjs calls each closure inside its own tidy, which would
    // dispose the other outputs. Unclaimed gradients are freed by the backward pass's tidy.
    const grads = tf
      .engine()
      .runKernel(LSTM_OPTIMIZER_STEP_GRAD, inputs, gradAttrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return Object.fromEntries(lstmStepInputNames(layers.length).map((name, i) => [name, () => grads[i]!]));
  },
});
