// A small categorical VAE trained with the Gumbel-softmax (Concrete) relaxation (Jang et al. 2017;
// Maddison et al. 2017) on the bundled 8×8 UCI digits, binarized.
//
//   node examples/gumbel-vae.mjs [steps]      (default 600: about ten seconds on wasm)
//
// The latent code is 8 categorical variables of 4 categories. Training backpropagates through
// relaxed samples at an annealed temperature; the reported bound uses exact one-hot samples, so it
// is the discrete model's own negative ELBO, on digits training never saw.
import { ExponentialDecaySchedule, gumbelSoftmax, Rng, useBackend } from '@metagrad/core';
import { loadDigits } from '@metagrad/optimizers';
import * as tf from '@tensorflow/tfjs';

const VARIABLES = 8;
const CATEGORIES = 4;
const HIDDEN = 128;
const BATCH = 100;

await useBackend('wasm');
const steps = Number(process.argv[2] ?? 600);
const digits = loadDigits();
const pixels = digits.numFeatures;
const binary = Float32Array.from(digits.features, (v) => (v > 0.5 ? 1 : 0));
const trainCount = 1500; // the rest (297 digits) are the test set
const train = tf.tensor2d(binary.subarray(0, trainCount * pixels), [trainCount, pixels]);
const test = tf.tensor2d(binary.subarray(trainCount * pixels), [digits.numExamples - trainCount, pixels]);

const dense = (units, activation, seed, inputShape) =>
  tf.layers.dense({
    units,
    activation,
    inputShape,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
  });
const encoder = tf.sequential({
  layers: [dense(HIDDEN, 'relu', 1, [pixels]), dense(VARIABLES * CATEGORIES, 'linear', 2)],
});
const decoder = tf.sequential({
  layers: [dense(HIDDEN, 'relu', 3, [VARIABLES * CATEGORIES]), dense(pixels, 'linear', 4)],
});

/**
 * Mean negative ELBO per digit, in nats: Bernoulli reconstruction loss plus the analytic
 * KL(q(z|x) ‖ uniform) of each categorical variable.
 */
function negativeElbo(x, sampleOptions) {
  const logits = encoder.apply(x).reshape([-1, VARIABLES, CATEGORIES]);
  const z = gumbelSoftmax(logits, sampleOptions).reshape([-1, VARIABLES * CATEGORIES]);
  const recon = decoder.apply(z);
  // −log p(x|z) for Bernoulli pixels with logits `recon`: softplus(l) − x·l.
  const reconstruction = tf.sum(tf.sub(tf.softplus(recon), tf.mul(x, recon)), 1);
  const logQ = tf.logSoftmax(logits);
  const kl = tf.sum(tf.mul(tf.exp(logQ), tf.add(logQ, Math.log(CATEGORIES))), [1, 2]);
  return tf.mean(tf.add(reconstruction, kl));
}

const rng = new Rng(0);
const evaluation = new Rng(0).child('test');
const testBound = () =>
  tf.tidy(() => negativeElbo(test, { hard: true, temperature: 1, seed: evaluation }).dataSync()[0]);
const schedule = new ExponentialDecaySchedule({ initial: 1, min: 0.5, rate: 3e-3 });
const optimizer = tf.train.adam(3e-3);
console.log(`test −ELBO before training: ${testBound().toFixed(2)} nats`);
for (let step = 0; step < steps; step++) {
  const rows = Array.from({ length: BATCH }, () => rng.int(trainCount));
  const batch = tf.tidy(() => tf.gather(train, tf.tensor1d(rows, 'int32')));
  const temperature = schedule.value(step);
  const loss = optimizer.minimize(() => negativeElbo(batch, { temperature, seed: rng }), true);
  if ((step + 1) % 100 === 0)
    console.log(
      `step ${step + 1}: τ ${temperature.toFixed(2)}, training −ELBO ${loss.dataSync()[0].toFixed(2)}`,
    );
  loss.dispose();
  batch.dispose();
}
console.log(`test −ELBO after training: ${testBound().toFixed(2)} nats (hard samples)`);
for (const t of [train, test, encoder, decoder, optimizer]) t.dispose();
