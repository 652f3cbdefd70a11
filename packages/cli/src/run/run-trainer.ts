import {
  EventBus,
  type EventSink,
  KERNEL_ARITHMETIC_VARIABLE,
  kernelArithmetic,
  remoteShardTransports,
  type TrainEvent,
} from '@metagrad/core';
import { parseGradientQueue, useGradientQueue } from '../distributed/gradient-queue.js';
import { loadUserModule } from '../flags/user-modules.js';
import type { AnyTrainer } from '../trainers/trainer-registry.js';
import { chooseBackend } from './backend-choice.js';
import { openTrainingRun, TrainingFailedError, writeRunSummary } from './open-training-run.js';
import { PlainProgress } from './plain-progress.js';
import type { TrainIo, TrainStatus } from './train-protocol.js';
import type { TrainerConfig, TrainingPlan } from './training-plan.js';

/**
 * The whole of a planned training run, the same for every trainer; runs in the CLI process or in
 * the dashboard's worker: chooses the backend, opens the run directory (a new one, or the resumed
 * run with its newest checkpoint), starts the trainer, trains, lets the trainer save its results,
 * and writes summary.json. A run that failed (weights no longer finite, a GPU device failure) ends in {@link TrainingFailedError}.
 */
export async function runTrainer(
  trainer: AnyTrainer,
  plan: TrainingPlan<TrainerConfig>,
  io: TrainIo<TrainEvent>,
): Promise<TrainStatus> {
  const { config, runDir } = plan;
  // A worker thread has its own module registry: the user's module is registered again there.
  const field = trainer.userModule?.field;
  if (field && typeof config[field] === 'string') await loadUserModule(trainer, config[field]);
  // The dashboard's worker thread has its own module state: its pools go to the queue too.
  if (plan.gradientQueue && !remoteShardTransports()) {
    const { url, timeoutSeconds } = plan.gradientQueue;
    useGradientQueue(parseGradientQueue('gradient-queue', url), timeoutSeconds);
  }
  const backend = await chooseBackend(config.backend);
  if (plan.gradientQueue && typeof config.workers === 'number')
    process.stderr.write(
      `workers: each step's ${config.workers} shards go to the gradient workers on ${remoteShardTransports()?.description}\n`,
    );
  if (backend.name === 'webgpu' && typeof config.workers === 'number' && config.workers > 1) {
    process.stderr.write(
      `workers: the ${config.workers} gradient workers are CPU threads; on webgpu the GPU computes each batch whole, so none is started\n`,
    );
  }
  // Runs from before the two kernel builds record none: they multiplied, then added.
  const recorded = plan.previous && (plan.previous.run.kernelArithmetic ?? 'multiply-then-add');
  if (recorded && recorded !== kernelArithmetic() && backend.name !== 'webgpu') {
    process.stderr.write(
      `kernels: the run was made with ${recorded} WebAssembly kernels and resumes on ${kernelArithmetic()} ones: it continues, but not bit for bit (${KERNEL_ARITHMETIC_VARIABLE}=${recorded} resumes it exactly where this CPU can)\n`,
    );
  }
  const title = trainer.title(config);
  const run = openTrainingRun<TrainEvent>(plan, {
    kind: trainer.kind,
    title,
    backend: backend.name,
    device: backend.detail,
    adapter: backend.adapter,
    store: (dir) => trainer.checkpoints(dir, config),
  });
  try {
    const sinks: EventSink<TrainEvent>[] = [...run.sinks, ...io.sinks];
    if (io.plainProgress) sinks.push(new PlainProgress(`${title}: backend ${backend.name}, run ${runDir}`));
    io.onStart?.({ kind: trainer.name, title, runDir, backend: backend.name, seed: String(config.seed) });
    const started = await trainer.start(config, {
      runDir,
      events: new EventBus(sinks),
      checkpointDir: run.checkpointDir,
      resumeFrom: run.resume?.data,
      checkpointNotes: run.checkpointNotes,
      beforeStep: io.beforeStep,
      print: io.print,
      json: plan.json,
    });
    try {
      io.onControls?.({ stop: () => started.stop(), checkpoint: () => started.requestCheckpoint() });
      if (io.onReference) {
        const reference = await started.reference?.();
        if (reference) io.onReference(reference);
      }
      const summary = await started.train();
      const extra = await started.finish(summary);
      writeRunSummary(runDir, summary, backend.name, extra);
      if (summary.reason === 'failed') throw new TrainingFailedError(runDir, summary.failure);
      if (!plan.json) io.print(`\nrun written to ${runDir}\n`);
      return summary.reason;
    } finally {
      started.dispose();
    }
  } finally {
    run.close();
  }
}
