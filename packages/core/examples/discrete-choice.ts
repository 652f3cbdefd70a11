/**
 * Learning a discrete choice: pick the cheapest of K options by gradient descent on
 * E_{z ~ softmax(θ)}[c_z], with three estimators of the same gradient:
 * REINFORCE (moving-average baseline), relaxed Gumbel-softmax, and straight-through
 * Gumbel-softmax under an annealed temperature.
 *
 * Run: `pnpm demo` (or `pnpm demo -- --backend cpu --steps 500 --seed 3`).
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import {
  type Estimator,
  ExponentialDecaySchedule,
  GumbelSoftmaxEstimator,
  Rng,
  ScoreFunctionEstimator,
  useBackend,
} from '../src/index.js';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    steps: { type: 'string', default: '300' },
    choices: { type: 'string', default: '20' },
    batch: { type: 'string', default: '16' },
    seed: { type: 'string', default: '0' },
  },
});

const steps = Number(values.steps);
const numChoices = Number(values.choices);
const batch = Number(values.batch);
for (const [field, v] of [
  ['steps', steps],
  ['choices', numChoices],
  ['batch', batch],
] as const) {
  if (!Number.isInteger(v) || v < 1 || (field === 'choices' && v < 2)) {
    console.error(`invalid --${field}: ${v} (expected an integer >= ${field === 'choices' ? 2 : 1})`);
    process.exit(2);
  }
}

const backend = await useBackend(values.backend);
const root = new Rng(values.seed);
const problemRng = root.child('problem');
const costs = Array.from({ length: numChoices }, () => problemRng.normal());
const best = Math.min(...costs);
const bestIndex = costs.indexOf(best);
const costTensor = tf.tensor1d(costs);
const objective = (z: tf.Tensor) => tf.sum(tf.mul(z, costTensor), -1);

const schedule = new ExponentialDecaySchedule({ initial: 1, rate: 4 / steps, min: 0.1, every: 10 });
let step = 0;
const estimators: Estimator[] = [
  new ScoreFunctionEstimator({ baselineDecay: 0.9 }),
  new GumbelSoftmaxEstimator({ temperature: 0.5 }),
  new GumbelSoftmaxEstimator({ temperature: () => schedule.value(step), hard: true }),
];

console.log(
  `Discrete choice: ${numChoices} options with costs ~ N(0, 1) (best ${best.toFixed(3)} at #${bestIndex}), ` +
    `${steps} Adam steps, ${batch} samples per step, backend ${backend.name}, seed ${values.seed}`,
);

interface Row {
  estimator: string;
  expectedCost: number;
  gap: number;
  pBest: number;
  gradStd: number;
  ms: number;
}
const rows: Row[] = [];
for (const estimator of estimators) {
  const rng = root.child(`samples-${estimator.name}`);
  const logits = tf.variable(tf.zeros([numChoices]));
  const optimizer = tf.train.adam(0.05);
  const ones = tf.ones([batch, 1]);
  const started = performance.now();
  let gradSqSum = 0;
  for (step = 0; step < steps; step++) {
    const { value, grads } = tf.variableGrads(
      () => estimator.surrogate(tf.mul(ones, logits), objective, rng),
      [logits],
    );
    if (step >= steps - 50) gradSqSum += tf.tidy(() => tf.sum(tf.square(grads[logits.name]!))).dataSync()[0]!;
    optimizer.applyGradients(grads as tf.NamedTensorMap as Record<string, tf.Variable>);
    tf.dispose([value, grads[logits.name]!]);
  }
  const ms = performance.now() - started;
  const p = tf.tidy(() => tf.softmax(logits)).dataSync();
  const expectedCost = costs.reduce((a, c, k) => a + p[k]! * c, 0);
  rows.push({
    estimator: estimator.name,
    expectedCost,
    gap: expectedCost - best,
    pBest: p[bestIndex]!,
    gradStd: Math.sqrt(gradSqSum / 50),
    ms,
  });
  tf.dispose([logits, ones]);
  optimizer.dispose();
}

console.log();
console.log('estimator        E[cost]    gap to best   P(best)   |grad| (last 50)   time');
for (const r of rows) {
  console.log(
    `${r.estimator.padEnd(15)} ${r.expectedCost.toFixed(4).padStart(8)}   ${r.gap.toFixed(4).padStart(11)}   ` +
      `${r.pBest.toFixed(3).padStart(7)}   ${r.gradStd.toFixed(4).padStart(16)}   ${(r.ms / 1000).toFixed(2)} s`,
  );
}
