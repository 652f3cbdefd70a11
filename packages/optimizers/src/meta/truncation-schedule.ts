/**
 * How an epoch's inner run is cut into truncations: the unroll length of each meta-step.
 * A schedule may vary with the epoch (growing truncations, random lengths from a seeded stream).
 */
export interface TruncationSchedule {
  /** Unroll lengths of epoch `epoch`'s truncations, summing to the epoch's inner steps. */
  truncations(epoch: number): number[];
}

/** `steps / unroll` truncations of `unroll` steps in every epoch (the paper's setting: 100 = 5 × 20). */
export class ConstantTruncation implements TruncationSchedule {
  private readonly lengths: number[];

  constructor(steps: number, unroll: number) {
    if (!Number.isInteger(steps / unroll))
      throw new RangeError(`steps (${steps}) must be a multiple of unroll (${unroll})`);
    this.lengths = Array.from({ length: steps / unroll }, () => unroll);
  }

  truncations(): number[] {
    return this.lengths;
  }
}

/**
 * Truncations that grow with meta-training (after google/learned_optimization's increasing
 * truncation schedules): every epoch has `steps / unroll` truncations, of `startUnroll` steps at
 * epoch 0 growing linearly to `unroll` at epoch `growEpochs` and after. The inner horizon grows with
 * them, from `startUnroll · steps / unroll` to `steps`: short, cheap, low-variance unrolls while the
 * optimizer is poor, the full horizon once it is not.
 */
export class GrowingTruncation implements TruncationSchedule {
  private readonly count: number;

  constructor(
    steps: number,
    private readonly unroll: number,
    private readonly startUnroll: number,
    private readonly growEpochs: number,
  ) {
    if (!Number.isInteger(steps / unroll))
      throw new RangeError(`steps (${steps}) must be a multiple of unroll (${unroll})`);
    if (!(startUnroll >= 1 && startUnroll <= unroll))
      throw new RangeError(`startUnroll (${startUnroll}) must be between 1 and unroll (${unroll})`);
    this.count = steps / unroll;
  }

  truncations(epoch: number): number[] {
    const progress = this.growEpochs > 0 ? Math.min(1, epoch / this.growEpochs) : 1;
    const length = Math.round(this.startUnroll + (this.unroll - this.startUnroll) * progress);
    return Array.from({ length: this.count }, () => length);
  }
}
