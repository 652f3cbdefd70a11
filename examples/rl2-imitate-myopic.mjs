// Can an RL² network express a memory of rewards per state and action at all? Behaviour cloning: the
// network is trained by supervised learning to act as the `myopic` rule (the best action in the
// current state by its posterior-mean reward there), then scored as an RL² agent on check trials of
// their own, with the state-use diagnostic. No reinforcement learning: what the clone cannot do, the
// architecture cannot easily express.
//
//   node examples/rl2-imitate-myopic.mjs [steps] [--hidden H] [--embedding E] [--previous-observation]
//                                        [--cell gru|layer-norm-relu] [--memory-slots S]
//                                        [--memory-heads H] [--memory-keys learned|observation]
//
// Default: 200 steps of 128 trials, 64 GRU units, the paper's input (about a minute on wasm).
import { Rng, useBackend } from '@metagrad/core';
import {
  evaluatePolicy,
  GruPolicy,
  MyopicMdpPolicy,
  oneHotState,
  PosteriorMeanRewards,
  RandomMdpPolicy,
  Rl2Agent,
  Rl2InputStream,
  rl2AgentOptions,
  rl2ConfigSchema,
  rl2InputExtras,
  rl2NetworkShape,
  StateUseDiagnostic,
  TabularMdp,
} from '@metagrad/rl';
import * as tf from '@tensorflow/tfjs';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1];
};
const steps = Number(args[0] && !args[0].startsWith('--') ? args[0] : 200);
await useBackend('wasm');

const config = rl2ConfigSchema.parse({
  env: 'mdp',
  hidden: Number(flag('hidden', 64)),
  embedding: Number(flag('embedding', 0)),
  previousObservation: args.includes('--previous-observation'),
  cell: flag('cell', 'gru'),
  memorySlots: Number(flag('memory-slots', 0)),
  memoryHeads: Number(flag('memory-heads', 2)),
  memoryKeys: flag('memory-keys', 'learned'),
});
const env = new TabularMdp();
const policy = new GruPolicy(rl2NetworkShape(config, env, 'policy'), new Rng('imitate').child('weights'));
const [S, A, T, batch] = [env.observationSize, env.numActions, 10 * env.episodeLength, 128];
const optimizer = tf.train.adam(3e-3);
const demonstrationRng = new Rng('imitation-data');

/**
 * One batch of trials played by the myopic rule: RL² inputs [T, B, I], and as targets the rule's
 * choice, uniform over its tied best actions (before anything is known, every action).
 */
function demonstrations(step) {
  const rng = demonstrationRng.child(step);
  const tasks = env.sampleTasks(rng.child('tasks'), batch);
  const stream = new Rl2InputStream(env, batch, rl2InputExtras(config, 'policy'));
  const rewards = new PosteriorMeanRewards(batch, S * A);
  const inputs = new Float32Array(T * batch * stream.size);
  const targets = new Float32Array(T * batch * A);
  const best = [];
  for (let t = 0; t < T; ) {
    let observations = tasks.reset();
    for (let k = 0; k < env.episodeLength; k++, t++) {
      inputs.set(stream.next(observations), t * batch * stream.size);
      const states = Int32Array.from({ length: batch }, (_, i) => oneHotState(observations, i, S));
      const actions = new Int32Array(batch);
      for (let i = 0; i < batch; i++) {
        rewards.bestActions(i, states[i] * A, A, best);
        for (const a of best) targets[(t * batch + i) * A + a] = 1 / best.length;
        actions[i] = best[rng.int(best.length)];
      }
      const result = tasks.step(actions, rng.child('outcomes'));
      for (let i = 0; i < batch; i++) rewards.record(i, states[i] * A + actions[i], result.rewards[i]);
      stream.observe(actions, result);
      observations = result.observations;
    }
  }
  return {
    inputs: tf.tensor3d(inputs, [T, batch, stream.size]),
    targets: tf.tensor2d(targets, [T * batch, A]),
  };
}

/** Mean total reward on 500 check trials and how often the policy followed the state where that mattered. */
async function check(played) {
  const watched = new StateUseDiagnostic(played);
  const { mean, stderr } = await evaluatePolicy(watched, env, {
    episodes: 10,
    trials: 500,
    seed: 'imitation-check',
  });
  const use = watched.report();
  return { mean, stderr, followedState: use.followedState / use.decisive };
}

const started = Date.now();
let crossEntropy = Number.NaN;
for (let step = 1; step <= steps; step++) {
  const { inputs, targets } = demonstrations(step);
  const cost = optimizer.minimize(
    () => {
      const features = policy.features(inputs);
      return tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(policy.policyHead(features))), -1)));
    },
    true,
    policy.variables,
  );
  crossEntropy = (await cost.data())[0];
  tf.dispose([inputs, targets, cost]);
  if (step % 100 === 0 && step < steps) {
    const clone = await check(new Rl2Agent(policy, env, rl2AgentOptions(config)));
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    console.log(
      `step ${step} (${minutes} min): cross-entropy ${crossEntropy.toFixed(3)}, check trials ${clone.mean.toFixed(1)}`,
    );
  }
}

const rows = [
  ['clone', await check(new Rl2Agent(policy, env, rl2AgentOptions(config)))],
  ['myopic', await check(new MyopicMdpPolicy())],
  ['random', await check(new RandomMdpPolicy())],
];
console.log(`after ${steps} steps: cross-entropy ${crossEntropy.toFixed(3)}`);
for (const [name, r] of rows)
  console.log(
    `${name.padEnd(7)} ${r.mean.toFixed(1)} ± ${r.stderr.toFixed(1)} on 500 check trials; followed the state ${(100 * r.followedState).toFixed(1)} %`,
  );
