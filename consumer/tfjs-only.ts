// The baseline of the strict build: tfjs alone, no metagrad. tfjs 4.22's own .d.ts have errors under
// skipLibCheck off; the consumer test fails on any error beyond these.
import * as tf from '@tensorflow/tfjs';

export const zero: tf.Scalar = tf.scalar(0);
