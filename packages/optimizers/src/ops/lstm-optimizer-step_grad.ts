import * as tf from '@tensorflow/tfjs';
import {
  LSTM_OPTIMIZER_STEP,
  LSTM_OPTIMIZER_STEP_GRAD,
  type LstmOptimizerStepAttrs,
  lstmStepInputNames,
} from './lstm-optimizer-step-kernel.js';

/**
 * The gradient of the fused step: one run of the adjoint kernel gives the gradients of every input,
 * which the closures below hand out (tfjs asks only for those on a path to what it differentiates).
 */
tf.registerGradient({
  kernelName: LSTM_OPTIMIZER_STEP,
  saveAllInputs: true,
  outputsToSave: [false, true],
  gradFunc: (dy, saved, attrs) => {
    const { layers } = attrs as unknown as LstmOptimizerStepAttrs;
    const names = lstmStepInputNames(layers.length);
    const dys = dy as tf.Tensor[];
    const inputs: tf.NamedTensorMap = {};
    names.forEach((name, i) => {
      inputs[name] = saved[i]!;
    });
    inputs.activations = saved[names.length]!;
    inputs.dLogits = dys[0]!;
    layers.forEach((_, l) => {
      inputs[`dh${l}`] = dys[2 + 2 * l]!;
      inputs[`dc${l}`] = dys[3 + 2 * l]!;
    });
    // Run now, not in the first closure: tfjs calls each closure inside its own tidy, which would
    // dispose the other outputs. Unclaimed gradients are freed by the backward pass's tidy.
    const grads = tf.engine().runKernel(LSTM_OPTIMIZER_STEP_GRAD, inputs, attrs) as tf.Tensor[];
    // Adjoint outputs: gradient, (h, c) per layer, kernel per layer, head weight, head bias, which is
    // the order of the input names.
    // The forward kernel's inputs are an array, so tfjs names them by index.
    return Object.fromEntries(names.map((_, i) => [String(i), () => grads[i]!]));
  },
});
