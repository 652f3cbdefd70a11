/**
 * The RL² input of one step for a batch of trials: observation ⊕ one-hot previous action ⊕
 * previous reward ⊕ termination flag (1 when the previous step ended an episode), `[B × I]`.
 * At the first step of a trial the previous action, reward and flag are all zero.
 */
export function rl2Input(
  observations: Float32Array,
  observationSize: number,
  previousActions: Int32Array | null,
  previousRewards: Float32Array | null,
  episodeEnded: boolean,
  actions: number,
  batch: number,
): Float32Array {
  const size = observationSize + actions + 2;
  const out = new Float32Array(batch * size);
  for (let i = 0; i < batch; i++) {
    const row = i * size;
    for (let j = 0; j < observationSize; j++) out[row + j] = observations[i * observationSize + j]!;
    if (previousActions) out[row + observationSize + previousActions[i]!] = 1;
    if (previousRewards) out[row + observationSize + actions] = previousRewards[i]!;
    if (previousActions && episodeEnded) out[row + observationSize + actions + 1] = 1;
  }
  return out;
}

/** Size of the RL² input for an environment. */
export function rl2InputSize(observationSize: number, actions: number): number {
  return observationSize + actions + 2;
}
