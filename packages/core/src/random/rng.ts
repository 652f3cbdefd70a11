import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';

/** Smallest uniform we hand out: keeps `-log(-log u)` finite in float32. */
const UNIFORM_FLOOR = 1.1754943508222875e-38;
/** Largest float32 below 1; `tf.randomUniform` can return exactly 1.0, we never do. */
const UNIFORM_CEIL = 1 - 2 ** -24;

/**
 * A seeded random stream built on seedrandom's Alea generator.
 *
 * One root seed gives named, independent child streams (`rng.child('task')`), so adding
 * a consumer never shifts the numbers another consumer sees. Tensor draws are filled in
 * JavaScript and uploaded, so the same seed gives identical tensors on every backend.
 *
 * @example
 * ```ts
 * const root = new Rng(42);
 * const noise = root.child('gumbel').uniform([128, 10]); // tf.Tensor in (0, 1)
 * const tfSeed = root.child('init').nextSeed();          // for tf.randomNormal(..., seed)
 * ```
 */
export class Rng {
  readonly seed: string;
  private readonly prng: seedrandom.StatefulPRNG<seedrandom.State.Alea>;

  constructor(seed: number | string, restoreFrom?: AleaState) {
    this.seed = String(seed);
    this.prng = seedrandom.alea(this.seed, restoreFrom ? { state: restoreFrom } : { state: true });
  }

  /** An independent stream named `name`; the same (seed, name) always gives the same stream. */
  child(name: string | number): Rng {
    return new Rng(`${this.seed}/${name}`);
  }

  /** A uniform double in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** A uint32, suitable as the `seed` argument of tfjs random ops. */
  nextSeed(): number {
    return this.prng.int32() >>> 0;
  }

  /** A standard normal double (Box-Muller on two clamped uniforms). */
  normal(): number {
    const u1 = Math.max(this.prng(), UNIFORM_FLOOR);
    const u2 = this.prng();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fills a Float32Array with uniforms strictly inside (0, 1) after float32 rounding. */
  uniformArray(size: number): Float32Array {
    const out = new Float32Array(size);
    for (let i = 0; i < size; i++) out[i] = this.prng();
    for (let i = 0; i < size; i++) {
      const u = out[i]!;
      if (u < UNIFORM_FLOOR) out[i] = UNIFORM_FLOOR;
      else if (u > UNIFORM_CEIL) out[i] = UNIFORM_CEIL;
    }
    return out;
  }

  /** A float32 tensor of uniforms strictly inside (0, 1): safe under `log` and `log1p(-u)`. */
  uniform(shape: number[]): tf.Tensor {
    return tf.tensor(this.uniformArray(shapeSize(shape)), shape, 'float32');
  }

  /** A float32 tensor of standard normals, drawn by tfjs with a seed taken from this stream. */
  normalTensor(shape: number[], mean = 0, stddev = 1): tf.Tensor {
    return tf.randomNormal(shape, mean, stddev, 'float32', this.nextSeed());
  }

  /** Internal state, for checkpoints: `Rng.fromState(rng.state())` continues the same sequence. */
  state(): RngState {
    const { c, s0, s1, s2 } = this.prng.state();
    return { seed: this.seed, alea: { c, s0, s1, s2 } };
  }

  /** Rebuilds a stream from {@link Rng.state}. */
  static fromState(state: RngState): Rng {
    return new Rng(state.seed, state.alea);
  }
}

/** The four numbers of seedrandom's Alea generator. */
export interface AleaState {
  c: number;
  s0: number;
  s1: number;
  s2: number;
}

/** Serialisable state of an {@link Rng}: plain JSON, safe to store in checkpoints. */
export interface RngState {
  seed: string;
  alea: AleaState;
}

/** Accepts a stream or a seed (a seed makes a fresh stream); nothing means {@link globalRng}. */
export function toRng(seedOrRng?: Rng | number | string): Rng {
  if (seedOrRng === undefined) return globalRng();
  return seedOrRng instanceof Rng ? seedOrRng : new Rng(seedOrRng);
}

/** Number of elements in a tensor of the given shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

let defaultStream = new Rng(0);

/**
 * The process-wide stream used when a sampler is given no seed. It starts at seed 0; reseed
 * it with {@link setGlobalSeed}. Prefer passing explicit child streams in library code.
 */
export function globalRng(): Rng {
  return defaultStream;
}

/** Reseeds the process-wide default stream returned by {@link globalRng}. */
export function setGlobalSeed(seed: number | string): void {
  defaultStream = new Rng(seed);
}
