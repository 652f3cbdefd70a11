import type { ObservationColumns } from './slot-memory.js';

/** Where a step lies in its trial, for networks that are given time inputs. */
export interface TrialClock {
  /** Step within the trial, 0 … episodes · episodeLength − 1. */
  step: number;
  episodeLength: number;
  episodes: number;
}

/** How many time inputs {@link rl2Input} appends (see {@link Rl2InputExtras.timeEpisodes}). */
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

/** What an RL² input holds beyond the paper's observation, previous action, reward and flag. */
export interface Rl2InputExtras {
  /**
   * The previous step's observation (zero at the trial's first step): the state the previous action
   * was taken in, so that a network can tie the reward it is given to a state without carrying that
   * state across a step in its memory.
   */
  previousObservation?: boolean;
  /** The {@link timeInputs}, counted over trials of this many episodes. */
  timeEpisodes?: number;
}

/** What a batch of trials has seen before a step, from which {@link rl2Input} builds its input. */
export interface Rl2History {
  /** The previous step's actions; null at a trial's first step (as are the rest). */
  previousActions: Int32Array | null;
  previousRewards: Float32Array | null;
  /** Observations the previous actions were taken on, `[B × observationSize]`. */
  previousObservations: Float32Array | null;
  /** Whether the previous step ended an episode. */
  episodeEnded: boolean;
}

/**
 * The RL² input of one step for a batch of trials, `[B × I]`: observation ⊕ one-hot previous
 * action ⊕ previous reward ⊕ termination flag (1 when the previous step ended an episode), then the
 * previous observation and the {@link timeInputs} where `extras` asks for them (with `step`, the
 * step within the trial). At the first step of a trial the previous action, reward, flag and
 * observation are all zero.
 */
export function rl2Input(
  observations: Float32Array,
  env: { observationSize: number; numActions: number; episodeLength: number },
  history: Rl2History,
  batch: number,
  extras: Rl2InputExtras = {},
  step = 0,
): Float32Array {
  const { observationSize, numActions: actions } = env;
  const { previousActions, previousRewards, previousObservations, episodeEnded } = history;
  const size = rl2InputSize(observationSize, actions, extras);
  const previousAt = rl2ObservationColumns(observationSize, actions).previous;
  const timeAt = rl2InputSize(observationSize, actions, { ...extras, timeEpisodes: undefined });
  const time =
    extras.timeEpisodes !== undefined &&
    timeInputs({ step, episodeLength: env.episodeLength, episodes: extras.timeEpisodes });
  const out = new Float32Array(batch * size);
  for (let i = 0; i < batch; i++) {
    const row = i * size;
    // Element by element: a subarray per row costs more than the copy for these few columns.
    for (let j = 0; j < observationSize; j++) out[row + j] = observations[i * observationSize + j]!;
    if (previousActions) out[row + observationSize + previousActions[i]!] = 1;
    if (previousRewards) out[row + observationSize + actions] = previousRewards[i]!;
    if (previousActions && episodeEnded) out[row + observationSize + actions + 1] = 1;
    if (extras.previousObservation && previousObservations) {
      for (let j = 0; j < observationSize; j++) {
        out[row + previousAt + j] = previousObservations[i * observationSize + j]!;
      }
    }
    if (time) out.set(time, row + timeAt);
  }
  return out;
}

/**
 * Where an RL² input row with {@link Rl2InputExtras.previousObservation} holds the current and the
 * previous observation (for a memory addressed by them; see {@link ObservationColumns}).
 */
export function rl2ObservationColumns(observationSize: number, actions: number): ObservationColumns {
  return { current: 0, previous: observationSize + actions + 2, size: observationSize };
}

/** Size of the RL² input for an environment, with what `extras` adds. */
export function rl2InputSize(observationSize: number, actions: number, extras: Rl2InputExtras = {}): number {
  return (
    observationSize +
    actions +
    2 +
    (extras.previousObservation ? observationSize : 0) +
    (extras.timeEpisodes !== undefined ? TIME_INPUTS : 0)
  );
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
 * What a recurrent policy has seen so far in a batch of trials (the previous action, reward,
 * observation and termination flag, and the step), from which each step's {@link rl2Input} is
 * built: the one place where an agent acting in trials and a training rollout keep that bookkeeping.
 */
export class Rl2InputStream {
  /** Length of each step's input. */
  readonly size: number;
  private readonly history: Rl2History = {
    previousActions: null,
    previousRewards: null,
    previousObservations: null,
    episodeEnded: false,
  };
  private observations: Float32Array | null = null;
  private step = 0;

  /** `extras`: what the inputs hold beyond the paper's (the network must expect them). */
  constructor(
    private readonly env: { observationSize: number; numActions: number; episodeLength: number },
    private readonly batch: number,
    private readonly extras: Rl2InputExtras = {},
  ) {
    this.size = rl2InputSize(env.observationSize, env.numActions, extras);
  }

  /** The input of the current step, `[batch × size]`, for these observations. */
  next(observations: Float32Array): Float32Array {
    // A copy: an environment may reuse its observation buffer from step to step.
    if (this.extras.previousObservation) this.observations = observations.slice();
    return rl2Input(observations, this.env, this.history, this.batch, this.extras, this.step);
  }

  /** Records what the step's actions brought, for the next input. */
  observe(actions: Int32Array, result: { rewards: Float32Array; episodeDone: boolean }): void {
    this.history.previousActions = actions;
    this.history.previousRewards = result.rewards;
    this.history.previousObservations = this.observations;
    this.history.episodeEnded = result.episodeDone;
    this.step++;
  }
}
