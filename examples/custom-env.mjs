// Train an RL² agent on an environment of your own, then evaluate it on held-out test trials against
// a policy that ignores what it has seen.
//
//   node examples/custom-env.mjs [iterations]      (default 60: under a minute on wasm)
//
// An Env is a task distribution: sampleTasks(rng, batch) gives a batch of trials advanced in lockstep.
// Observations and rewards are typed arrays, one row per trial. A Policy is anything that acts.
import { Rng, useBackend } from '@metagrad/core';
import { evaluatePolicy, pairedDifference, Rl2Trainer } from '@metagrad/rl';
// chain-env.mjs is the Env (a chain whose paying end is hidden per task); its default export,
// { name, create() }, is also what `metagrad rl2 train --env-module` loads.
import chain from './chain-env.mjs';

/** Walks to one end chosen at random each episode, never learning which end pays. */
const memoryless = {
  name: 'memoryless',
  describe: () => ({}),
  startTrials(tasks, env) {
    let direction = new Int32Array(tasks.batch);
    let steps = 0;
    return {
      act(_observations, rng) {
        if (steps++ % env.episodeLength === 0)
          direction = Int32Array.from(direction, () => (rng.next() < 0.5 ? 1 : 0));
        return direction;
      },
      observe() {},
    };
  },
};

const iterations = Number(process.argv[2] ?? 60);
await useBackend('wasm');
const env = chain.create();
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
const agent = await evaluatePolicy(trainer.agent(), env, test);
const baseline = await evaluatePolicy(memoryless, env, test);
const difference = pairedDifference(agent, baseline);
console.log(`test return per trial: RL² ${agent.mean.toFixed(2)} ± ${agent.stderr.toFixed(2)}`);
console.log(`                 memoryless ${baseline.mean.toFixed(2)} ± ${baseline.stderr.toFixed(2)}`);
console.log(`paired difference ${difference.mean.toFixed(2)} ± ${difference.stderr.toFixed(2)}`);
trainer.dispose();
