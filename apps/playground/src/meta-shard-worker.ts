// A gradient worker of meta-training: a Web Worker serving the learned-optimizer shard handlers.
import { serveShardsInWebWorker } from '@metagrad/core';
import { shardHandlers } from '@metagrad/optimizers/shard-handlers';
import { useBundledWasm } from './wasm-paths.js';

useBundledWasm();
serveShardsInWebWorker(shardHandlers);
