// A gradient worker of RL² training: a Web Worker serving the PPO and TRPO shard handlers.
import { serveShardsInWebWorker } from '@metagrad/core';
import { shardHandlers } from '@metagrad/rl/shard-handlers';
import { useBundledWasm } from './wasm-paths.js';

useBundledWasm();
serveShardsInWebWorker(shardHandlers);
