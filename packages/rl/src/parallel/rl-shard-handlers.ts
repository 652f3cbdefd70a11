// The worker side of parallel RL² updates: PPO gradients and TRPO quantities of one shard of the trials.
import { type KernelChoice, Rng, readTensors, type ShardHandlers, type ShardSessions } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { GruPolicy, type GruPolicyShape } from '../agent/gru-policy.js';
import {
  minibatchTensors,
  type PpoMinibatch,
  type PpoMinibatchData,
  type PpoSettings,
} from '../agent/ppo.js';
import { type PpoHeads, ppoGradients } from '../agent/ppo-gradients.js';
import { TrpoProblem } from '../agent/trpo.js';

/** What a worker gets: the network's shape and current weights (in `weightNames` order) and the trials. */
export interface PpoShardRequest {
  shape: GruPolicyShape;
  kernels: KernelChoice;
  weights: Float32Array[];
  data: PpoMinibatchData;
  settings: PpoSettings;
  heads: PpoHeads;
}

/** What it sends back: the shard's mean loss terms and their gradients (in `weightNames` order). */
export interface PpoShardResult {
  grads: Float32Array[];
  total: number;
  policy: number;
  value: number;
  entropy: number;
}

/** One network per shape, reused: only its weights change between requests. */
const networks = new Map<string, GruPolicy>();

/** The cached network of `shape`, on `kernels`, with `weights` (in `weightNames` order). */
function networkWith(shape: GruPolicyShape, kernels: KernelChoice, weights: Float32Array[]): GruPolicy {
  const key = JSON.stringify(shape);
  let network = networks.get(key);
  if (!network) {
    network = new GruPolicy(shape, new Rng('shard'));
    networks.set(key, network);
  }
  network.kernels = kernels;
  network.variables.forEach((v, i) => {
    tf.tidy(() => v.assign(tf.tensor(weights[i]!, v.shape)));
  });
  return network;
}

/** A TRPO step's shard: its trials (actions and advantages as in a PPO minibatch) and its share of the Fisher trials. */
export interface TrpoShardRequest extends TrpoSession {
  shape: GruPolicyShape;
  kernels: KernelChoice;
  weights: Float32Array[];
  data: PpoMinibatchData;
  /** Indices into this shard's trials; absent: all of them. */
  fisherTrials?: number[];
}

/** What a shard reports when a TRPO step starts: its gradient and entropy (means over its steps) and its sizes. */
export interface TrpoShardStart {
  gradient: Float64Array;
  entropy: number;
  fisherTrials: number;
}

/** Which TRPO step a request belongs to: the runner's own id (runners on one thread share its handlers). */
export interface TrpoSession {
  session: string;
}

/** Each step's shard problem, kept from `trpoStart` to `trpoEnd`, by session. */
const trpoSteps = new Map<string, { problem: TrpoProblem; batch: PpoMinibatch; hasFisher: boolean }>();

function endTrpo(session: string): void {
  const step = trpoSteps.get(session);
  if (!step) return;
  step.problem.dispose();
  tf.dispose(Object.values(step.batch));
  trpoSteps.delete(session);
}

function currentTrpo(session: string) {
  const step = trpoSteps.get(session);
  if (!step)
    throw new Error(`no TRPO step of session ${session} in progress on this worker (trpoStart first)`);
  return step;
}

/** Frees the cached networks (a worker computing on its caller's thread is closed); steps in progress stay. */
export function releaseShardState(): void {
  for (const network of networks.values()) network.dispose();
  networks.clear();
}

/** TRPO's step keeps its problem on the worker from `trpoStart` to `trpoEnd`. */
export const shardSessions: ShardSessions = { starts: ['trpoStart'], ends: ['trpoEnd'] };

export const shardHandlers = {
  ppoGradients: async (request: PpoShardRequest): Promise<PpoShardResult> => {
    const network = networkWith(request.shape, request.kernels, request.weights);
    const minibatch = minibatchTensors(request.data);
    const { grads, ...terms } = ppoGradients(network, minibatch, request.settings, request.heads);
    try {
      const gradients = network.variables.map((v) => grads[v.name]!);
      const [total, policy, value, entropy, ...values] = await readTensors([
        terms.total,
        terms.policy,
        terms.value,
        terms.entropy,
        ...gradients,
      ]);
      return {
        grads: values,
        total: total![0]!,
        policy: policy![0]!,
        value: value![0]!,
        entropy: entropy![0]!,
      };
    } finally {
      tf.dispose([...Object.values(grads), ...Object.values(terms), ...Object.values(minibatch)]);
    }
  },

  trpoStart: async (request: TrpoShardRequest): Promise<TrpoShardStart> => {
    endTrpo(request.session);
    const network = networkWith(request.shape, request.kernels, request.weights);
    const batch = minibatchTensors(request.data);
    const fisher = request.fisherTrials;
    // A shard with none of the Fisher trials keeps all of them locally, but its products weigh 0.
    const problem = await TrpoProblem.create(
      network,
      batch,
      fisher && fisher.length > 0 ? fisher : undefined,
    );
    trpoSteps.set(request.session, { problem, batch, hasFisher: fisher === undefined || fisher.length > 0 });
    return {
      gradient: await problem.surrogateGradient(),
      entropy: await problem.entropy(),
      fisherTrials: fisher?.length ?? request.data.batch,
    };
  },

  trpoFisher: async (request: TrpoSession & { v: Float64Array; damping: number }): Promise<Float64Array> => {
    const { problem, hasFisher } = currentTrpo(request.session);
    return hasFisher
      ? await problem.fisherVectorProduct(request.v, request.damping)
      : new Float64Array(request.v.length);
  },

  trpoEvaluate: (request: TrpoSession & { step: Float64Array }): Promise<{ kl: number; gain: number }> =>
    currentTrpo(request.session).problem.evaluate(request.step),

  trpoEnd: (request: TrpoSession): null => {
    endTrpo(request.session);
    return null;
  },
} satisfies ShardHandlers;
