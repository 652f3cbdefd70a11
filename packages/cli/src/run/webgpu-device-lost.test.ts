import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findWebGpuAdapter, type TrainEvent } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { planL2lTrain, runL2lTrain } from '../testing/trainers-in-process.js';

// A destroyed device stays lost for the rest of the process: this file has it to itself.
const adapter = await findWebGpuAdapter().catch((error: Error) => error);
const unavailable = adapter instanceof Error ? adapter.message : undefined;
if (unavailable) console.warn(`webgpu device-loss tests skipped: ${unavailable}`);

const settings = { epochs: 4, steps: 4, unroll: 2, instances: 2, evalInstances: 2, compare: false };

describe.skipIf(unavailable !== undefined)(
  unavailable ? `training on webgpu (skipped: ${unavailable})` : 'training on webgpu',
  () => {
    it('GPU memory stays flat over 100 steps (tensor bytes and bytes on the GPU)', async () => {
      const samples: { numBytes: number; numBytesInGPU: number; numBytesAllocatedInGPU: number }[] = [];
      const io = {
        sinks: [],
        print: () => {},
        beforeStep: async () => {
          samples.push(tf.memory() as unknown as (typeof samples)[number]);
        },
        plainProgress: false,
      };
      const runDir = join(mkdtempSync(join(tmpdir(), 'webgpu-memory-')), 'run');
      const plan = await planL2lTrain({ ...settings, epochs: 50, backend: 'webgpu', runDir });
      expect(await runL2lTrain(plan, io)).toBe('completed');
      expect(samples.length).toBe(100);
      // From the sixth epoch on (the first ones allocate the evaluation tasks and pooled buffers),
      // at each position within an epoch (an epoch's inner run lives only until it ends), tensor
      // bytes are constant. Bytes on the GPU move by a few small tensors that tfjs keeps on the CPU
      // until a shader needs them, so for them: no growth from the first half to the second.
      const max = (values: number[]) => Math.max(...values);
      for (const position of [0, 1]) {
        const later = samples.slice(10).filter((_, i) => i % 2 === position);
        const bytes = later.map((s) => s.numBytes);
        expect(max(bytes) - Math.min(...bytes), `tensor bytes at step ${position} of an epoch`).toBe(0);
      }
      for (const field of ['numBytesInGPU', 'numBytesAllocatedInGPU'] as const) {
        const [first, second] = [samples.slice(10, 55), samples.slice(55)].map((half) =>
          half.map((s) => s[field]),
        );
        expect(max(second!), field).toBeLessThanOrEqual(max(first!));
      }
    });

    it('a device lost mid-run ends it failed with the reason, its last checkpoint intact, resumable on wasm', async () => {
      const runDir = join(mkdtempSync(join(tmpdir(), 'webgpu-lost-')), 'run');
      let steps = 0;
      const events: TrainEvent[] = [];
      const io = {
        sinks: [{ emit: (e: TrainEvent) => events.push(e) }],
        print: () => {},
        beforeStep: async () => {
          // After three meta-steps, as a driver reset would; checkpoints come every epoch (2 meta-steps).
          if (++steps === 4) (tf.backend() as unknown as { device: { destroy(): void } }).device.destroy();
        },
        plainProgress: false,
      };
      const plan = await planL2lTrain({ ...settings, checkpointEvery: 1, backend: 'webgpu', runDir });
      await expect(runL2lTrain(plan, io)).rejects.toThrow(/training failed in .*: the GPU device was lost/);
      const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'));
      expect(summary).toMatchObject({ status: 'failed', backend: 'webgpu' });
      expect(summary.failure).toMatch(/^the GPU device was lost \(destroyed\)/);
      expect(events.at(-1)).toMatchObject({ type: 'end', reason: 'failed' });
      const checkpoints = readdirSync(join(runDir, 'checkpoints')).filter((f) => f.endsWith('.json'));
      expect(checkpoints.at(-1)).toBe('step-0000000002.json');
      // Another backend is another run unless the user says otherwise.
      await expect(planL2lTrain({ resume: runDir, backend: 'wasm' })).rejects.toThrow(
        /invalid backend: "wasm" \(the run in progress has "webgpu"; pass --allow-changes/,
      );
      const resumed = await planL2lTrain({ resume: runDir, backend: 'wasm', allowChanges: true });
      expect(await runL2lTrain(resumed, { ...io, beforeStep: async () => {} })).toBe('completed');
      expect(JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8'))).toMatchObject({
        status: 'completed',
        steps: 8,
        backend: 'wasm',
      });
      expect(existsSync(join(runDir, 'best'))).toBe(true);
    });
  },
);
