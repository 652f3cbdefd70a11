// The worker side of parallel PPO: gradients of one shard of a minibatch's trials.
import { type KernelChoice, Rng, type ShardHandlers } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { GruPolicy, type GruPolicyShape } from '../agent/gru-policy.js';
import { minibatchTensors, type PpoMinibatchData, type PpoSettings } from '../agent/ppo.js';
import { type PpoHeads, ppoGradients } from '../agent/ppo-gradients.js';

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

function networkFor(shape: GruPolicyShape): GruPolicy {
  const key = JSON.stringify(shape);
  let network = networks.get(key);
  if (!network) {
    network = new GruPolicy(shape, new Rng('shard'));
    networks.set(key, network);
  }
  return network;
}

export const shardHandlers = {
  ppoGradients: (request: PpoShardRequest): PpoShardResult => {
    const network = networkFor(request.shape);
    network.kernels = request.kernels;
    network.variables.forEach((v, i) => {
      tf.tidy(() => v.assign(tf.tensor(request.weights[i]!, v.shape)));
    });
    const minibatch = minibatchTensors(request.data);
    const { grads, ...terms } = ppoGradients(network, minibatch, request.settings, request.heads);
    const result: PpoShardResult = {
      grads: network.variables.map((v) => grads[v.name]!.dataSync() as Float32Array),
      total: terms.total.dataSync()[0]!,
      policy: terms.policy.dataSync()[0]!,
      value: terms.value.dataSync()[0]!,
      entropy: terms.entropy.dataSync()[0]!,
    };
    tf.dispose([...Object.values(grads), ...Object.values(terms), ...Object.values(minibatch)]);
    return result;
  },
} satisfies ShardHandlers;
