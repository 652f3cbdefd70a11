import { z } from 'zod';
import { platform } from '#platform';
import { remoteShardTransports } from './shard-transports.js';

/** The default worker count: one per core. */
export function defaultWorkerCount(): number {
  return platform.availableParallelism();
}

/** The `workers` setting of a trainer config (default: one per core). */
export const workersSchema = z
  .number()
  .int()
  .positive()
  // More threads than cores only contend for them, each with its own copy of tfjs and the model;
  // remote workers are processes on other machines, as many as the queue has.
  .refine((workers) => remoteShardTransports() !== undefined || workers <= defaultWorkerCount(), {
    error: () =>
      `this machine has ${defaultWorkerCount()} cores: at most ${defaultWorkerCount()} gradient workers (with --resume, change it with --allow-changes)`,
  })
  .default(() => defaultWorkerCount())
  .describe(
    "gradient workers: threads each step's tasks or trials are split across, the training thread among them (1: it alone); default and most: one per core, or any number of shards on remote gradient workers",
  );
