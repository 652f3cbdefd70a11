import type { ReferenceResults, TrainEvent } from '@metagrad/core';
import type { PlaygroundJob } from './jobs.js';

/** The backends the page offers: the GPU where the browser has WebGPU, SIMD WebAssembly everywhere. */
export type PlaygroundBackend = 'webgpu' | 'wasm';

/** What the page asks of the training worker. */
export type ToWorker =
  | {
      type: 'start';
      job: PlaygroundJob['id'];
      backend: PlaygroundBackend;
      /** Settings the page changed from the job's own. */
      settings: Record<string, unknown>;
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'download' };

/** What the training worker tells the page. */
export type FromWorker =
  | { type: 'backend'; name: string; detail: string }
  | { type: 'status'; text: string }
  | { type: 'config'; config: Record<string, unknown> }
  | { type: 'reference'; reference: ReferenceResults }
  | { type: 'event'; event: TrainEvent }
  /** Training is paused: no step runs until a `resume`. */
  | { type: 'paused' }
  /** The first training step is done. */
  | { type: 'first-step' }
  | { type: 'text'; text: string }
  | { type: 'finished'; reason: string; results: Record<string, unknown> }
  | { type: 'download'; name: string; bytes: Uint8Array }
  | { type: 'error'; message: string };
