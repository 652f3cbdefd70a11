import { ConfigError } from '@metagrad/core';
import type { Env } from '../env/env.js';
import { refuseFusedLayerNorm } from '../ops/gru-sequence.js';
import { type Rl2Config, rl2ConfigSchema } from './rl2-config.js';

/** The most environment steps one iteration may take (batch × episodes × episode length): ~10⁷. */
export const MAX_ITERATION_STEPS = 10_000_000;

/**
 * Refuses an iteration too large to hold in memory, naming `batch`: each bounded setting can be
 * fine while their product is not (10⁵ trials × 10⁴ episodes).
 */
export function checkIterationSize(config: Pick<Rl2Config, 'batch' | 'episodes'>, env: Env): void {
  const steps = config.batch * config.episodes * env.episodeLength;
  if (steps > MAX_ITERATION_STEPS)
    throw new ConfigError(
      'batch',
      config.batch,
      `batch × episodes × episode length = ${steps.toExponential(2)} steps per iteration, more than ${MAX_ITERATION_STEPS.toExponential(0)}; lower batch or episodes`,
    );
}

/**
 * The checks that relate settings to the environment they train on, errors naming the field: the
 * iteration's size ({@link checkIterationSize}), and a memory addressed by observations on an
 * environment that has none (a bandit).
 */
export function checkRl2ConfigOnEnv(
  config: Pick<Rl2Config, 'batch' | 'episodes' | 'memorySlots' | 'memoryKeys'>,
  env: Env,
): void {
  checkIterationSize(config, env);
  if (config.memorySlots > 0 && config.memoryKeys === 'observation' && env.observationSize === 0)
    throw new ConfigError(
      'memoryKeys',
      config.memoryKeys,
      `${env.name} has no observation to address the memory by; use --memory-keys learned`,
    );
}

/** The checks that relate several settings (each alone is checked by the schema); errors name the field. */
export function checkRl2Config(
  config: Pick<
    Rl2Config,
    | 'algorithm'
    | 'valueNetwork'
    | 'timeInputs'
    | 'popArt'
    | 'normalizeValues'
    | 'cell'
    | 'kernels'
    | 'memorySlots'
    | 'memoryHeads'
    | 'memoryWidth'
    | 'memoryKeys'
    | 'previousObservation'
  >,
): void {
  if (config.cell === 'layer-norm-relu') refuseFusedLayerNorm(config.kernels);
  if (config.memorySlots === 0)
    for (const field of MEMORY_SETTINGS) {
      const fallback = rl2ConfigSchema.shape[field].parse(undefined);
      if (config[field] !== fallback)
        throw new ConfigError(field, config[field], 'sets up the memory: needs --memory-slots > 0');
    }
  if (config.memorySlots > 0 && config.memoryKeys === 'observation' && !config.previousObservation)
    throw new ConfigError(
      'memoryKeys',
      config.memoryKeys,
      'writes at the previous observation: needs --previous-observation, or --memory-keys learned',
    );
  if (config.timeInputs === 'critic' && config.valueNetwork !== 'separate')
    throw new ConfigError(
      'timeInputs',
      config.timeInputs,
      'a shared network is its own critic: use both, or --value-network separate',
    );
  if (config.popArt && !config.normalizeValues)
    throw new ConfigError('popArt', config.popArt, 'rescales normalised values: needs --normalize-values');
  if (config.algorithm === 'trpo' && config.valueNetwork !== 'separate')
    throw new ConfigError(
      'valueNetwork',
      config.valueNetwork,
      'trpo fits a separate value network; use --value-network separate',
    );
}

/** The memory's settings besides its slots: unused without slots. */
const MEMORY_SETTINGS = ['memoryHeads', 'memoryWidth', 'memoryKeys'] as const;

/** Settings each algorithm ignores: its name selects them. */
const IGNORED_BY: Record<Rl2Config['algorithm'], (keyof Rl2Config)[]> = {
  ppo: ['maxKl', 'cgIterations', 'cgDamping', 'backtracks', 'backtrackRatio', 'fisherFraction'],
  trpo: ['clip', 'entropyCoefficient', 'entropySchedule'],
};

/**
 * The settings of `config` that it never reads (TRPO has no clip or entropy bonus, PPO no trust
 * region, a network without memory slots no memory settings), so that two runs differing only in them
 * count as one setting. A config read from an older run may lack `memorySlots`: it had no memory.
 */
export function unusedRl2Settings(
  config: Pick<Rl2Config, 'algorithm'> & Partial<Pick<Rl2Config, 'memorySlots'>>,
): (keyof Rl2Config)[] {
  // A copy: a caller that edits its list must not change what every later caller is told.
  return [...IGNORED_BY[config.algorithm], ...(config.memorySlots ? [] : MEMORY_SETTINGS)];
}
