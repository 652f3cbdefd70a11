import type { Rng } from '@metagrad/core';
import type { Env } from '../env/env.js';
import { type GruInit, GruPolicy, type GruPolicyShape } from './gru-policy.js';
import { type Rl2Config, rl2InputExtras } from './rl2-config.js';
import { rl2InputSize, rl2ObservationColumns } from './rl2-input.js';

/**
 * The networks of an RL² agent for `config` on `env`: the policy GRU, and with a separate value
 * network its critic (each with the time inputs when `timeInputs` gives them any), initialised from
 * `root`'s `weights` and `critic-weights` streams and set to the config's kernels.
 */
export function rl2Networks(
  config: Rl2Config,
  env: Env,
  root: Rng,
): { policy: GruPolicy; critic: GruPolicy | undefined } {
  const shape = (network: 'policy' | 'critic') => rl2NetworkShape(config, env, network);
  const init: GruInit = { updateGateBias: config.gruInit, maxTimescale: config.episodes * env.episodeLength };
  const policy = new GruPolicy(shape('policy'), root.child('weights'), init);
  const critic =
    config.valueNetwork === 'separate'
      ? new GruPolicy(shape('critic'), root.child('critic-weights'), init)
      : undefined;
  for (const network of [policy, critic]) if (network) network.kernels = config.kernels;
  return { policy, critic };
}

/** The sizes and cell of an RL² agent's policy or value network for `config` on `env`. */
export function rl2NetworkShape(
  config: Pick<
    Rl2Config,
    | 'hidden'
    | 'embedding'
    | 'memorySlots'
    | 'memoryHeads'
    | 'memoryWidth'
    | 'memoryKeys'
    | 'cell'
    | 'timeInputs'
    | 'episodes'
    | 'previousObservation'
  >,
  env: Pick<Env, 'observationSize' | 'numActions'>,
  network: 'policy' | 'critic',
): GruPolicyShape {
  return {
    inputSize: rl2InputSize(env.observationSize, env.numActions, rl2InputExtras(config, network)),
    hidden: config.hidden,
    actions: env.numActions,
    embedding: config.embedding,
    cell: config.cell,
    ...(config.memorySlots > 0 && {
      memory: {
        slots: config.memorySlots,
        heads: config.memoryHeads,
        width: config.memoryWidth,
        ...(config.memoryKeys === 'observation' && {
          keyedBy: rl2ObservationColumns(env.observationSize, env.numActions),
        }),
      },
    }),
  };
}
