// A user environment for `metagrad rl2 train --env-module examples/chain-env.mjs --env chain`.
// An Env needs no imports: metagrad passes its seeded random streams (rng.next() in [0, 1)).
//
// The chain: states 0..L-1 in a row, one-hot observations, actions left (0) and right (1). Each
// task hides which end pays: reaching it pays 1 and ends the episode; the other end pays 0.1.
// Across the episodes of a trial an agent that remembers which end paid goes straight there.

const LENGTH = 5;
const STEPS = 8;

class ChainTasks {
  constructor(batch, goalRight) {
    this.batch = batch;
    this.goalRight = goalRight; // Uint8Array: 1 when the right end pays 1
    this.position = new Int32Array(batch);
    this.done = new Uint8Array(batch);
    this.t = 0;
  }

  observe() {
    const obs = new Float32Array(this.batch * LENGTH);
    for (let i = 0; i < this.batch; i++) obs[i * LENGTH + this.position[i]] = 1;
    return obs;
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
      const next = this.position[i] + (actions[i] === 1 ? 1 : -1);
      this.position[i] = Math.max(0, Math.min(LENGTH - 1, next));
      const atRight = this.position[i] === LENGTH - 1;
      const atLeft = this.position[i] === 0;
      if (atRight || atLeft) {
        rewards[i] = atRight === (this.goalRight[i] === 1) ? 1 : 0.1;
        this.done[i] = 1;
      }
    }
    this.t++;
    const episodeDone = this.t === STEPS;
    return { observations: episodeDone ? this.reset() : this.observe(), rewards, episodeDone };
  }

  optimalEpisodeReturn() {
    return 1;
  }
}

/** The environment distribution: every task is a chain with a random paying end. */
class ChainEnv {
  name = 'chain';
  numActions = 2;
  observationSize = LENGTH;
  episodeLength = STEPS;

  sampleTasks(rng, batch) {
    const goalRight = new Uint8Array(batch);
    for (let i = 0; i < batch; i++) goalRight[i] = rng.next() < 0.5 ? 1 : 0;
    return new ChainTasks(batch, goalRight);
  }

  describe() {
    return { env: 'chain', length: LENGTH, steps: STEPS };
  }
}

export default { name: 'chain', create: () => new ChainEnv() };
