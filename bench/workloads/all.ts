import type { Workload } from '../workload.js';
import { coreWorkloads } from './core.js';
import { optimizerWorkloads } from './optimizers.js';
import { ppoHeadLossWorkloads } from './ppo-head-loss.js';
import { rlWorkloads } from './rl.js';

/** Every registered workload, in the order `pnpm bench` runs them. */
export const ALL_WORKLOADS: Workload[] = [
  ...coreWorkloads,
  ...optimizerWorkloads,
  ...rlWorkloads,
  ...ppoHeadLossWorkloads,
];
