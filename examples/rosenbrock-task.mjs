// A user task family for `metagrad l2l train --task-module examples/rosenbrock-task.mjs --task rosenbrock`.
// Tasks are batched: parameters `[instances, n]`, one loss per instance `[instances]`.
//
// Rosenbrock valleys f(θ) = Σ_i a·(θ_{i+1} − θ_i²)² + (1 − θ_i)², with a per-instance curvature a
// drawn from [5, 50] and a random start near the origin: a classic hard case for hand-tuned rates.
import * as tf from '@tensorflow/tfjs';

const DIMS = 4;

class RosenbrockTask {
  constructor(curvature, start) {
    this.name = 'rosenbrock';
    this.numInstances = curvature.length;
    this.numParams = DIMS;
    this.curvature = tf.keep(tf.tensor2d(curvature, [curvature.length, 1]));
    this.start = start;
  }

  initialParams() {
    return tf.tensor2d(this.start, [this.numInstances, DIMS]);
  }

  loss(params) {
    return tf.tidy(() => {
      const head = params.slice([0, 0], [-1, DIMS - 1]);
      const tail = params.slice([0, 1], [-1, DIMS - 1]);
      const valley = tf.mul(this.curvature, tf.square(tf.sub(tail, tf.square(head))));
      return tf.sum(tf.add(valley, tf.square(tf.sub(1, head))), 1);
    });
  }

  dispose() {
    this.curvature.dispose();
  }
}

class RosenbrockFamily {
  name = 'rosenbrock';

  sample(rng, instances) {
    const curvature = Array.from({ length: instances }, () => 5 + 45 * rng.next());
    const start = Array.from({ length: instances * DIMS }, () => rng.next() - 0.5);
    return new RosenbrockTask(curvature, start);
  }

  describe() {
    return { family: 'rosenbrock', dims: DIMS, curvature: [5, 50] };
  }

  dispose() {}
}

export default { name: 'rosenbrock', create: () => new RosenbrockFamily() };
