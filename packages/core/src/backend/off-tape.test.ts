import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { offTape } from './off-tape.js';

describe('offTape', () => {
  it('what it computes is a constant to the gradient around it: d/dx [x · c(x)] = c(x) for c = x²', () => {
    const x = tf.scalar(3);
    const grad = tf.grad((v: tf.Tensor) =>
      tf.mul(
        v,
        offTape(() => tf.square(v)),
      ),
    )(x);
    expect(grad.dataSync()[0]).toBe(9);
    const taped = tf.grad((v: tf.Tensor) => tf.mul(v, tf.square(v)))(x);
    expect(taped.dataSync()[0]).toBe(27);
    tf.dispose([x, grad, taped]);
  });

  it('a gradient taken inside it works under an outer tape, which still records after it', () => {
    const x = tf.scalar(2);
    const before = tf.memory().numTensors;
    const grad = tf.grad((v: tf.Tensor) => {
      // Inside: d/du u³ at u = 2, a gradient of its own.
      const inner = offTape(() => tf.grad((u: tf.Tensor) => tf.pow(u, 3))(tf.scalar(2)));
      // After it the outer tape records again: d/dv (v² · 12) = 2v · 12 = 48.
      return tf.mul(tf.square(v), inner);
    })(x);
    expect(grad.dataSync()[0]).toBe(48);
    grad.dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });

  it('records nothing for the outer tape to keep: no copies of its ops’ inputs', () => {
    const x = tf.ones([64]);
    const count = (inner: (v: tf.Tensor) => tf.Tensor) => {
      let tensors = 0;
      tf.grad((v: tf.Tensor) => {
        const start = tf.memory().numTensors;
        const constant = inner(v);
        tensors = tf.memory().numTensors - start;
        return tf.sum(tf.mul(v, constant));
      })(x).dispose();
      return tensors;
    };
    const chain = (v: tf.Tensor) => tf.exp(tf.mul(tf.sin(v), tf.cos(v)));
    // Taped, each op also keeps clones of the inputs (or outputs) its gradient needs.
    expect(count((v) => offTape(() => chain(v)))).toBeLessThan(count(chain));
    x.dispose();
  });

  it('outside any tape it just runs', () => {
    const y = offTape(() => tf.add(tf.scalar(1), tf.scalar(2)));
    expect(y.dataSync()[0]).toBe(3);
    y.dispose();
  });
});
