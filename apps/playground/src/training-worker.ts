/// <reference lib="webworker" />
import { fileSystem, useBackend, useWebShardWorkers, zipDirectory } from '@metagrad/core';
import { META_SHARD_HANDLERS } from '@metagrad/optimizers';
import { RL_SHARD_HANDLERS } from '@metagrad/rl';
import { type HostedRun, hostRun } from './host-run.js';
import { JOBS, type PlaygroundJob } from './jobs.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { useBundledWasm } from './wasm-paths.js';

useBundledWasm();
// Gradient workers (the `workers` setting) are Web Workers of their own, one script per trainer.
useWebShardWorkers({
  [META_SHARD_HANDLERS]: () =>
    new Worker(new URL('./meta-shard-worker.ts', import.meta.url), { type: 'module' }),
  [RL_SHARD_HANDLERS]: () => new Worker(new URL('./rl-shard-worker.ts', import.meta.url), { type: 'module' }),
});

const scope = self as unknown as DedicatedWorkerGlobalScope;
const send = (message: FromWorker, transfer: Transferable[] = []) => scope.postMessage(message, transfer);

let current: { job: PlaygroundJob; hosted: HostedRun; runDir: string } | undefined;
let resumeTraining: (() => void) | undefined;
let paused: Promise<void> | undefined;

scope.onmessage = (message: MessageEvent<ToWorker>) => {
  const request = message.data;
  if (request.type === 'start') {
    start(request.job, request.backend, request.settings).catch((error: unknown) =>
      send({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  } else if (request.type === 'pause') {
    paused ??= new Promise((resolve) => {
      resumeTraining = resolve;
    });
  } else if (request.type === 'resume') {
    resume();
  } else if (request.type === 'stop') {
    current?.hosted.run.stop();
    resume();
  } else if (request.type === 'download' && current) {
    const { job, runDir } = current;
    const { folder } = job.description.savedModel;
    // A failed run (weights no longer finite) saves nothing.
    if (!fileSystem().existsSync(`${runDir}/${folder}`))
      return send({ type: 'error', message: `nothing to download: the run saved no ${folder}/` });
    const bytes = zipDirectory(`${runDir}/${folder}`);
    send({ type: 'download', name: `${folder}.zip`, bytes }, [bytes.buffer]);
  }
};

/**
 * Resolves after the worker has handled the messages waiting for it. A step that awaits only
 * resolved promises never lets them in, so pause and stop would wait for the end of training; a
 * message to ourselves queues behind them without `setTimeout`'s clamp of several milliseconds.
 */
function nextTask(): Promise<void> {
  const channel = new MessageChannel();
  return new Promise((resolve) => {
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

function resume(): void {
  resumeTraining?.();
  resumeTraining = undefined;
  paused = undefined;
}

async function start(
  id: PlaygroundJob['id'],
  backend: string,
  settings: Record<string, unknown>,
): Promise<void> {
  const job = JOBS[id];
  send({ type: 'status', text: `starting ${backend}…` });
  const resolution = await useBackend(backend as 'webgpu' | 'wasm');
  send({ type: 'backend', name: resolution.name, detail: resolution.detail });
  const runDir = `/runs/${id}-${Date.now()}`;
  let firstStep = true;
  const hosted = await hostRun({
    trainer: job.trainer,
    settings: { ...job.settings, ...settings },
    runDir,
    onEvent: (event) => {
      send({ type: 'event', event });
      if (event.type === 'progress' && firstStep) {
        firstStep = false;
        send({ type: 'first-step' });
      }
    },
    beforeStep: async () => {
      await nextTask();
      if (!paused) return;
      send({ type: 'paused' });
      await paused;
    },
    print: (text) => send({ type: 'text', text }),
  });
  current = { job, hosted, runDir };
  send({ type: 'config', config: hosted.config });
  send({ type: 'status', text: 'evaluating the baselines on the held-out tasks…' });
  const reference = await hosted.reference();
  const exact = job.exactReferences(hosted.config);
  send({
    type: 'reference',
    reference: { entries: [...(reference?.entries ?? []), ...exact], curves: reference?.curves ?? [] },
  });
  send({ type: 'status', text: 'training' });
  const { summary, results } = await hosted.train();
  send({ type: 'finished', reason: summary.reason, results });
}
