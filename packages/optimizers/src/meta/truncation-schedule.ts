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
