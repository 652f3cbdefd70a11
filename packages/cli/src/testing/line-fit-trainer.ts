/**
 * A third trainer, from outside the CLI: fits a line y = a·x + b to noisy points by gradient descent.
 * The tests load it with `--trainer-module` to show that the CLI hosts a trainer it was never told
 * about: flags, run directories, checkpoints, resume, `runs compare` and `runs export`. Test utility.
 */
import { join } from 'node:path';
import {
  CheckpointStore,
  type Evaluation,
  type NamedValues,
  Rng,
  type StepResult,
  seedSchema,
  type TrainerDescriptor,
  TrainLoop,
  type TrainProgram,
  writeFileAtomic,
} from '@metagrad/core';
import { z } from 'zod';

const schema = z.object({
  steps: z.number().int().positive().max(10_000).default(40).describe('gradient steps'),
  learningRate: z.number().positive().max(1).default(0.1).describe('step size'),
  points: z.number().int().positive().max(10_000).default(32).describe('points per step'),
  evalEvery: z.number().int().positive().default(5).describe('held-out evaluation every N steps'),
  checkpointEvery: z.number().int().positive().default(5).describe('checkpoint every N steps'),
  seed: seedSchema.default(0),
});
type LineFitConfig = z.output<typeof schema>;

/** The true line, and points drawn around it from a named stream. */
function points(rng: Rng, count: number): { x: number[]; y: number[] } {
  const x = Array.from({ length: count }, () => rng.next() * 2 - 1);
  return { x, y: x.map((v) => 3 * v - 1 + 0.1 * (rng.next() - 0.5)) };
}

class LineFit implements TrainProgram {
  readonly unit = 'step';
  readonly objective = { name: 'held-out squared error', higherIsBetter: false };
  readonly headline = ['loss'];
  readonly total: number;
  readonly weight = new Float32Array(2);

  constructor(readonly config: LineFitConfig) {
    this.total = config.steps;
  }

  async step(index: number): Promise<StepResult> {
    const { x, y } = points(new Rng(this.config.seed).child('train').child(index), this.config.points);
    let ga = 0;
    let gb = 0;
    let loss = 0;
    x.forEach((v, i) => {
      const error = this.weight[0]! * v + this.weight[1]! - y[i]!;
      loss += error * error;
      ga += 2 * error * v;
      gb += 2 * error;
    });
    this.weight[0]! -= (this.config.learningRate * ga) / x.length;
    this.weight[1]! -= (this.config.learningRate * gb) / x.length;
    return { metrics: { loss: loss / x.length }, skipped: false };
  }

  evaluate(): Evaluation {
    const { x, y } = points(new Rng(this.config.seed).child('eval'), 200);
    const errors = x.map((v, i) => (this.weight[0]! * v + this.weight[1]! - y[i]!) ** 2);
    return { value: errors.reduce((a, b) => a + b, 0) / errors.length };
  }

  weights(): NamedValues[] {
    return [{ name: 'line', shape: [2], values: Float32Array.from(this.weight) }];
  }

  checkpoint() {
    return { state: {}, tensors: { weights: this.weights() } };
  }

  restore(_state: Record<string, unknown>, tensors: Record<string, NamedValues[]>): void {
    this.weight.set(tensors.weights![0]!.values);
  }
}

const lineFit: TrainerDescriptor<LineFitConfig> = {
  name: 'line-fit',
  kind: 'line-fit-train',
  description: 'fit a line to noisy points by gradient descent',
  unit: 'step',
  schema,
  flagNames: { learningRate: 'lr' },
  evaluationSettings: [],
  title: (config) => `line fit, ${config.points} points`,
  runName: () => 'line-fit',
  checkpoints: (dir) => new CheckpointStore(dir, { kind: 'line-fit-train', keep: 2 }),
  start: (config, context) => {
    const program = new LineFit(config);
    const loop = new TrainLoop({
      program,
      events: context.events,
      checkpoints: new CheckpointStore(context.checkpointDir, { kind: 'line-fit-train', keep: 2 }),
      resumeFrom: context.resumeFrom,
      checkpointNotes: context.checkpointNotes,
      evalEvery: config.evalEvery,
      checkpointEvery: config.checkpointEvery,
      beforeStep: context.beforeStep,
    });
    return {
      train: () => loop.run(),
      stop: () => loop.stop(),
      requestCheckpoint: () => loop.requestCheckpoint(),
      finish: (summary) => {
        if (summary.reason !== 'failed')
          writeFileAtomic(join(context.runDir, 'line.json'), JSON.stringify(Array.from(program.weight)));
        return { line: Array.from(program.weight) };
      },
      dispose: () => {},
    };
  },
};

export default lineFit;
