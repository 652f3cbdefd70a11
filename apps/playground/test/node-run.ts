import { MemoryFileSystem, type TrainEvaluationEvent, useBackend, useFileSystem } from '@metagrad/core';
import { hostRun } from '../src/host-run.js';
import type { JobId } from '../src/job-descriptions.js';
import { JOBS } from '../src/jobs.js';

/** What a playground job gives in Node, for the page's numbers to be compared with. */
export interface NodeRunResult {
  evaluations: { step: number; value: number }[];
  reference: { label: string; value: number }[];
  progressMs: number[];
}

/**
 * Runs a playground job as the page's worker does (the same host and settings), on this process's
 * wasm backend, with its run directory in memory.
 */
export async function runJobInNode(id: JobId, settings: Record<string, unknown>): Promise<NodeRunResult> {
  await useBackend('wasm');
  const restore = useFileSystem(new MemoryFileSystem());
  try {
    const job = JOBS[id];
    const result: NodeRunResult = { evaluations: [], reference: [], progressMs: [] };
    const hosted = await hostRun({
      trainer: job.trainer,
      settings: { ...job.settings, ...settings },
      runDir: `/runs/${id}`,
      onEvent: (event) => {
        if (event.type === 'evaluation') {
          const e = event as TrainEvaluationEvent;
          result.evaluations.push({ step: e.step, value: e.value });
        } else if (event.type === 'progress') result.progressMs.push(event.ms);
      },
    });
    result.reference = [
      ...((await hosted.reference())?.entries ?? []),
      ...job.exactReferences(hosted.config),
    ];
    await hosted.train();
    return result;
  } finally {
    restore();
  }
}
