// Train an RL² agent on an environment of your own, then evaluate it on held-out test trials against
// a policy that ignores what it has seen.
//
//   node examples/custom-env.mjs [iterations]      (default 60: under a minute on wasm)
//
// An Env is a task distribution: sampleTasks(rng, batch) gives a batch of trials advanced in lockstep.
// Observations and rewards are typed arrays, one row per trial. A Policy is anything that acts.
import { Rng, useBackend } from '@metagrad/core';
import { evaluatePolicy, pairedDifference, Rl2Trainer } from '@metagrad/rl';

const LENGTH = 5;
const STEPS = 8;

/**
 * A chain of LENGTH states, one-hot observations, actions left (0) and right (1). Each task hides
 * which end pays 1 (the other pays 0.1); an agent that remembers it goes straight there next episode.
 */
class ChainTasks {
  constructor(batch, goalRight) {
    this.batch = batch;
    this.goalRight = goalRight;
    this.position = new Int32Array(batch);
    this.done = new Uint8Array(batch);
    this.t = 0;
  }

  observe() {
    const observations = new Float32Array(this.batch * LENGTH);
    for (let i = 0; i < this.batch; i++) observations[i * LENGTH + this.position[i]] = 1;
    return observations;
  }

  reset() {
    this.position.fill(Math.floor(LENGTH / 2));
    this.done.fill(0);
    this.t = 0;
    return this.observe();
  }

  step(actions) {
    const rewards = new Float32Array(this.batch);
    for (let i = 0; i < this.batch; i++) {
      if (this.done[i]) continue;
      this.position[i] = Math.max(0, Math.min(LENGTH - 1, this.position[i] + (actions[i] === 1 ? 1 : -1)));
      const atRight = this.position[i] === LENGTH - 1;
      if (atRight || this.position[i] === 0) {
        rewards[i] = atRight === (this.goalRight[i] === 1) ? 1 : 0.1;
        this.done[i] = 1;
      }
    }
    this.t++;
    const episodeDone = this.t === STEPS;
    return { observations: episodeDone ? this.reset() : this.observe(), rewards, episodeDone };
  }
}

class ChainEnv {
  name = 'chain';
  numActions = 2;
  observationSize = LENGTH;
  episodeLength = STEPS;

  sampleTasks(rng, batch) {
    const goalRight = Uint8Array.from({ length: batch }, () => (rng.next() < 0.5 ? 1 : 0));
    return new ChainTasks(batch, goalRight);
  }

  describe() {
    return { env: 'chain', length: LENGTH, steps: STEPS };
  }
}

/** Walks to one end chosen at random each episode, never learning which end pays. */
const memoryless = {
  name: 'memoryless',
  describe: () => ({}),
  startTrials(tasks) {
    let direction = new Int32Array(tasks.batch);
    let steps = 0;
    return {
      act(_observations, rng) {
        if (steps++ % STEPS === 0) direction = Int32Array.from(direction, () => (rng.next() < 0.5 ? 1 : 0));
        return direction;
      },
      observe() {},
    };
  },
};

const iterations = Number(process.argv[2] ?? 60);
await useBackend('wasm');
const env = new ChainEnv();
const trainer = new Rl2Trainer({
  config: { episodes: 4, hidden: 16, batch: 64, iterations, evalEvery: 20, evalTrials: 200, workers: 1 },
  env,
});
const summary = await trainer.train();
console.log(`trained ${iterations} iterations; best validation return ${summary.best?.value.toFixed(2)}`);
const best = trainer.bestWeightValues;
if (best) trainer.policy.setWeightValues(best); // chosen on the validation trials

// The test trials: a seed stream training and selection never used.
const test = { episodes: 4, trials: 500, seed: new Rng(0).child('test').seed };
const agent = evaluatePolicy(trainer.agent(), env, test);
const baseline = evaluatePolicy(memoryless, env, test);
const difference = pairedDifference(agent, baseline);
console.log(`test return per trial: RL² ${agent.mean.toFixed(2)} ± ${agent.stderr.toFixed(2)}`);
console.log(`                 memoryless ${baseline.mean.toFixed(2)} ± ${baseline.stderr.toFixed(2)}`);
console.log(`paired difference ${difference.mean.toFixed(2)} ± ${difference.stderr.toFixed(2)}`);
trainer.dispose();
