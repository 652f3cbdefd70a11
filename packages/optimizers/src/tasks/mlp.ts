import type { Rng } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/dataset.js';
import type { TaskFamilySpec } from './family-spec.js';
import type { Task, TaskFamily } from './task.js';

/** Hidden-layer activations the MLP family supports. */
export const MLP_ACTIVATIONS = ['sigmoid', 'relu', 'tanh'] as const;
export type MlpActivation = (typeof MLP_ACTIVATIONS)[number];

/** Options of {@link MlpFamily}. */
export interface MlpOptions {
  /** Units per hidden layer. Default [20], the paper's network. */
  hidden?: number[];
  /** Hidden activation. Default 'sigmoid', as in the paper. */
  activation?: MlpActivation;
  /** Examples per minibatch. Default 128. */
  batchSize?: number;
}

interface LayerSlice {
  weightOffset: number;
  biasOffset: number;
  fanIn: number;
  fanOut: number;
}

/**
 * A batch of MLP classifiers, each instance with its own initialisation and its own stream
 * of minibatches; all instances run as one batched tensor program.
 */
export class MlpTask implements Task {
  readonly name: string;
  readonly numInstances: number;
  readonly numParams: number;
  private readonly family: MlpFamily;
  private readonly batchRng: Rng;
  private readonly theta0: tf.Tensor2D;
  /** Where these instances sit in the batch they were drawn with (a subset's offset and that batch's size). */
  private readonly offset: number;
  private readonly drawn: number;

  constructor(
    family: MlpFamily,
    rng: Rng,
    numInstances: number,
    subset?: { offset: number; drawn: number; theta0: tf.Tensor2D },
  ) {
    this.family = family;
    this.name = `mlp-${family.dataset.name}`;
    this.numInstances = numInstances;
    this.numParams = family.numParams;
    this.batchRng = rng.child('minibatches');
    this.rng = rng;
    this.offset = subset?.offset ?? 0;
    this.drawn = subset?.drawn ?? numInstances;
    this.theta0 = subset?.theta0 ?? family.initialParams(rng.child('init'), numInstances);
  }

  private readonly rng: Rng;

  subset(start: number, count: number): MlpTask {
    return new MlpTask(this.family, this.rng, count, {
      offset: this.offset + start,
      drawn: this.drawn,
      theta0: tf.slice(this.theta0, start, count),
    });
  }

  initialParams(): tf.Tensor2D {
    return this.theta0.clone();
  }

  /** Example indices `[B × batchSize]` for `step`: a pure function of (task seed, step). */
  minibatchIndices(step: number): Int32Array {
    const rng = this.batchRng.child(step);
    const { numExamples } = this.family.dataset;
    const { batchSize } = this.family;
    // Drawn for the whole batch, so a subset's instances see the examples they would in it.
    const all = new Int32Array(this.drawn * batchSize);
    for (let i = 0; i < all.length; i++) all[i] = rng.int(numExamples);
    return all.slice(this.offset * batchSize, (this.offset + this.numInstances) * batchSize);
  }

  loss(params: tf.Tensor2D, step: number): tf.Tensor1D {
    return this.family.batchLoss(params, this.minibatchIndices(step));
  }

  dispose(): void {
    this.theta0.dispose();
  }
}

/**
 * MLP classification on a real data set (Andrychowicz et al. 2016, section 3.2): by default one
 * hidden layer of 20 sigmoid units, cross-entropy loss on minibatches of 128. Hidden sizes,
 * depth and activation are configurable for generalisation studies.
 *
 * @example
 * ```ts
 * const family = new MlpFamily(loadDigits(), { hidden: [20], activation: 'sigmoid' });
 * const task = family.sample(new Rng(1), 16); // 16 networks, 1,510 parameters each
 * ```
 */
export class MlpFamily implements TaskFamily {
  readonly name: string;
  readonly dataset: Dataset;
  readonly hidden: number[];
  readonly activation: MlpActivation;
  readonly batchSize: number;
  readonly numParams: number;
  private readonly layers: LayerSlice[];

  constructor(dataset: Dataset, options: MlpOptions = {}) {
    this.dataset = dataset;
    this.hidden = options.hidden ?? [20];
    this.activation = options.activation ?? 'sigmoid';
    this.batchSize = options.batchSize ?? 128;
    if (!MLP_ACTIVATIONS.includes(this.activation))
      throw new RangeError(`unknown activation ${this.activation}`);
    if (this.hidden.some((h) => !Number.isInteger(h) || h < 1)) {
      throw new RangeError(`hidden sizes must be positive integers, got [${this.hidden.join(', ')}]`);
    }
    this.name = `mlp-${dataset.name}`;
    const sizes = [dataset.numFeatures, ...this.hidden, dataset.numClasses];
    this.layers = [];
    let offset = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l]!;
      const fanOut = sizes[l + 1]!;
      this.layers.push({ weightOffset: offset, biasOffset: offset + fanIn * fanOut, fanIn, fanOut });
      offset += fanIn * fanOut + fanOut;
    }
    this.numParams = offset;
  }

  sample(rng: Rng, numInstances: number): MlpTask {
    return new MlpTask(this, rng, numInstances);
  }

  /** Weights ~ N(0, 1/fan_in), biases 0, laid out layer by layer as [W | b]. */
  initialParams(rng: Rng, numInstances: number): tf.Tensor2D {
    const values = new Float32Array(numInstances * this.numParams);
    for (let i = 0; i < numInstances; i++) {
      for (const layer of this.layers) {
        const scale = 1 / Math.sqrt(layer.fanIn);
        const base = i * this.numParams + layer.weightOffset;
        for (let j = 0; j < layer.fanIn * layer.fanOut; j++) values[base + j] = rng.normal() * scale;
      }
    }
    return tf.tensor2d(values, [numInstances, this.numParams]);
  }

  /** Mean cross-entropy per instance `[B]` on the examples `indices` (`B × batchSize` row numbers). */
  batchLoss(params: tf.Tensor2D, indices: Int32Array): tf.Tensor1D {
    const { features, labels, numFeatures, numClasses } = this.dataset;
    // The minibatch is built on the host: a tf.gather from an uploaded data set would be cloned
    // whole into every gradient tape that records it (188 MB a step for Fashion-MNIST).
    const rows = new Float32Array(indices.length * numFeatures);
    const targets = new Float32Array(indices.length * numClasses);
    indices.forEach((row, i) => {
      rows.set(features.subarray(row * numFeatures, (row + 1) * numFeatures), i * numFeatures);
      targets[i * numClasses + labels[row]!] = 1;
    });
    return tf.tidy(() => {
      const b = params.shape[0];
      let h = tf.tensor3d(rows, [b, this.batchSize, numFeatures]);
      this.layers.forEach((layer, l) => {
        const w = params
          .slice([0, layer.weightOffset], [b, layer.fanIn * layer.fanOut])
          .reshape([b, layer.fanIn, layer.fanOut]) as tf.Tensor3D;
        const bias = params.slice([0, layer.biasOffset], [b, layer.fanOut]).reshape([b, 1, layer.fanOut]);
        const z = tf.add(tf.matMul(h, w), bias) as tf.Tensor3D;
        h = l + 1 < this.layers.length ? (this.activate(z) as tf.Tensor3D) : z;
      });
      const target = tf.tensor3d(targets, [b, this.batchSize, numClasses]);
      return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(h)), -1), -1)) as tf.Tensor1D;
    });
  }

  private activate(z: tf.Tensor): tf.Tensor {
    switch (this.activation) {
      case 'sigmoid':
        return tf.sigmoid(z);
      case 'relu':
        return tf.relu(z);
      case 'tanh':
        return tf.tanh(z);
    }
  }

  spec(): TaskFamilySpec {
    const { source } = this.dataset;
    if (!source)
      throw new Error(`the ${this.dataset.name} data set records no source to load it from elsewhere`);
    return {
      family: 'mlp',
      source,
      hidden: this.hidden,
      activation: this.activation,
      batchSize: this.batchSize,
    };
  }

  describe() {
    return {
      family: 'mlp',
      dataset: this.dataset.name,
      hidden: this.hidden,
      activation: this.activation,
      batchSize: this.batchSize,
      numParams: this.numParams,
    };
  }

  /** Nothing to free: minibatches are built from the host data set as they are needed. */
  dispose(): void {}
}
