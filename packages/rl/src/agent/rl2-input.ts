/** Where a step lies in its trial, for networks that are given time inputs. */
export interface TrialClock {
  /** Step within the trial, 0 … episodes · episodeLength − 1. */
  step: number;
  episodeLength: number;
  episodes: number;
}

/** How many time inputs {@link rl2Input} appends with a clock. */
export const TIME_INPUTS = 3;

/**
 * The time inputs of a step, each in [0, 1]: the step within its episode (÷ episode length), the
 * episode's index (÷ episodes) and the fraction of the trial still to come (1 at the first step).
 * A value network that sees them need not infer from its memory how much reward is left to earn.
 */
export function timeInputs(clock: TrialClock): [number, number, number] {
  const { step, episodeLength, episodes } = clock;
  return [
    (step % episodeLength) / episodeLength,
    Math.floor(step / episodeLength) / episodes,
    1 - step / (episodeLength * episodes),
  ];
}

/**
 * The RL² input of one step for a batch of trials: observation ⊕ one-hot previous action ⊕
 * previous reward ⊕ termination flag (1 when the previous step ended an episode), `[B × I]`, then
 * the {@link timeInputs} when a clock is given. At the first step of a trial the previous action,
 * reward and flag are all zero.
 */
export function rl2Input(
  observations: Float32Array,
  observationSize: number,
  previousActions: Int32Array | null,
  previousRewards: Float32Array | null,
  episodeEnded: boolean,
  actions: number,
  batch: number,
  clock?: TrialClock,
): Float32Array {
  const base = rl2InputSize(observationSize, actions);
  const size = rl2InputSize(observationSize, actions, clock !== undefined);
  const out = new Float32Array(batch * size);
  const time = clock && timeInputs(clock);
  for (let i = 0; i < batch; i++) {
    const row = i * size;
    for (let j = 0; j < observationSize; j++) out[row + j] = observations[i * observationSize + j]!;
    if (previousActions) out[row + observationSize + previousActions[i]!] = 1;
    if (previousRewards) out[row + observationSize + actions] = previousRewards[i]!;
    if (previousActions && episodeEnded) out[row + observationSize + actions + 1] = 1;
    if (time) out.set(time, row + base);
  }
  return out;
}

/** Size of the RL² input for an environment, with or without the time inputs. */
export function rl2InputSize(observationSize: number, actions: number, withTime = false): number {
  return observationSize + actions + 2 + (withTime ? TIME_INPUTS : 0);
}

/**
 * Per-step input rows `[B × I]` of a whole trial with the time inputs appended (`[B × (I + 3)]`):
 * what a value network given time inputs sees when the policy network is not.
 */
export function appendTimeInputs(
  rows: Float32Array[],
  batch: number,
  inputSize: number,
  clock: Omit<TrialClock, 'step'>,
): Float32Array[] {
  const size = inputSize + TIME_INPUTS;
  return rows.map((row, step) => {
    const out = new Float32Array(batch * size);
    const time = timeInputs({ ...clock, step });
    for (let i = 0; i < batch; i++) {
      out.set(row.subarray(i * inputSize, (i + 1) * inputSize), i * size);
      out.set(time, i * size + inputSize);
    }
    return out;
  });
}

/**
 * What a recurrent policy has seen so far in a batch of trials (the previous action, reward and
 * termination flag, and the step), from which each step's {@link rl2Input} is built: the one place
 * where an agent acting in trials and a training rollout keep that bookkeeping.
 */
export class Rl2InputStream {
  /** Length of each step's input. */
  readonly size: number;
  private previousActions: Int32Array | null = null;
  private previousRewards: Float32Array | null = null;
  private episodeEnded = false;
  private step = 0;

  /** `episodes`: give the time inputs for trials of that many episodes (the network must expect them). */
  constructor(
    private readonly env: { observationSize: number; numActions: number; episodeLength: number },
    private readonly batch: number,
    private readonly episodes?: number,
  ) {
    this.size = rl2InputSize(env.observationSize, env.numActions, episodes !== undefined);
  }

  /** The input of the current step, `[batch × size]`, for these observations. */
  next(observations: Float32Array): Float32Array {
    const { env, episodes } = this;
    return rl2Input(
      observations,
      env.observationSize,
      this.previousActions,
      this.previousRewards,
      this.episodeEnded,
      env.numActions,
      this.batch,
      episodes === undefined ? undefined : { step: this.step, episodeLength: env.episodeLength, episodes },
    );
  }

  /** Records what the step's actions brought, for the next input. */
  observe(actions: Int32Array, result: { rewards: Float32Array; episodeDone: boolean }): void {
    this.previousActions = actions;
    this.previousRewards = result.rewards;
    this.episodeEnded = result.episodeDone;
    this.step++;
  }
}
