import { z } from 'zod';
import { platform } from '#platform';
import { writeFileAtomic } from '../io/durable-write.js';
import { fileSystem, readTextFile } from '../io/file-system.js';
import { decodeValues, encodedValuesSchema, encodeValues, type NamedValues } from './named-values.js';

/** What a trainer puts in a checkpoint. */
export interface CheckpointData {
  /** Steps completed (meta-steps, iterations): the position a resume continues from. */
  step: number;
  /** Plain JSON: counters, best score, schedules, the metrics log length. Validated by the trainer. */
  state: Record<string, unknown>;
  /** Tensor groups by name, e.g. `weights`, `optimizer`, `best`. */
  tensors: Record<string, NamedValues[]>;
}

/** A checkpoint read back, with the file it came from and any newer files that were rejected. */
export interface LoadedCheckpoint {
  path: string;
  data: CheckpointData;
  /** Newer checkpoint files that were unusable (torn, corrupt, another kind), newest first. */
  rejected: { path: string; problem: string }[];
}

/** A checkpoint file is unreadable, corrupt, or not of the expected kind. */
export class CheckpointError extends Error {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path}: not a usable checkpoint: ${problem}`);
    this.name = 'CheckpointError';
    this.path = path;
  }
}

const FORMAT = 'metagrad-checkpoint';
const VERSION = 2;
const FILE = /^step-(\d{10})\.json$/;

const bodySchema = z.object({
  step: z.number().int().nonnegative(),
  state: z.record(z.string(), z.unknown()),
  tensors: z.record(z.string(), z.array(encodedValuesSchema)),
});
const fileSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  kind: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  body: bodySchema,
});

/**
 * One checkpoint format for every trainer, kept in one directory as `step-XXXXXXXXXX.json`:
 * plain JSON (loading never runs code) whose body carries a SHA-256, written atomically and
 * durably, then read back and verified before older files are rotated out. {@link latest} returns
 * the newest checkpoint that verifies, naming any newer files it had to skip, so a torn or
 * corrupted file never blocks a resume while an older good one exists.
 *
 * @example
 * ```ts
 * const store = new CheckpointStore('runs/a/checkpoints', { kind: 'rl2', keep: 3 });
 * store.write({ step: 25, state: { best: 0.9 }, tensors: { weights } });
 * const resumed = store.latest(); // { path, data, rejected }
 * ```
 */
export class CheckpointStore {
  readonly dir: string;
  readonly kind: string;
  readonly keep: number;

  constructor(dir: string, options: { kind: string; keep: number }) {
    this.dir = dir;
    this.kind = options.kind;
    this.keep = options.keep;
  }

  /** The file a checkpoint at `step` is written to. */
  pathFor(step: number): string {
    return platform.joinPath(this.dir, `step-${String(step).padStart(10, '0')}.json`);
  }

  /** Writes, verifies, and rotates (keeping the newest `keep`); returns the path written. */
  write(data: CheckpointData): string {
    fileSystem().mkdirSync(this.dir, { recursive: true });
    const path = this.pathFor(data.step);
    const body = {
      step: data.step,
      state: data.state,
      tensors: Object.fromEntries(Object.entries(data.tensors).map(([k, v]) => [k, encodeValues(v)])),
    };
    const file = { format: FORMAT, version: VERSION, kind: this.kind, sha256: digest(body), body };
    writeFileAtomic(path, JSON.stringify(file));
    this.read(path); // verify what landed on disk before older checkpoints go
    const files = this.list();
    for (const old of files.slice(0, Math.max(0, files.length - this.keep)))
      fileSystem().rmSync(old, { force: true });
    return path;
  }

  /** Checkpoint files, oldest first. */
  list(): string[] {
    const fs = fileSystem();
    if (!fs.existsSync(this.dir)) return [];
    return fs
      .readdirSync(this.dir)
      .filter((f) => FILE.test(f))
      .sort()
      .map((f) => platform.joinPath(this.dir, f));
  }

  /** Reads and verifies one checkpoint file; throws {@link CheckpointError} naming the problem. */
  read(path: string): CheckpointData {
    let raw: unknown;
    try {
      raw = JSON.parse(readTextFile(path));
    } catch (error) {
      throw new CheckpointError(path, (error as Error).message);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new CheckpointError(path, `${issue.path.join('.') || 'root'}: ${issue.message}`);
    }
    const { kind, sha256, body } = parsed.data;
    if (kind !== this.kind) throw new CheckpointError(path, `a ${kind} checkpoint, not ${this.kind}`);
    if (digest(body) !== sha256) throw new CheckpointError(path, 'checksum mismatch (the file was altered)');
    try {
      const tensors = Object.fromEntries(
        Object.entries(body.tensors).map(([group, values]) => [group, decodeValues(values, group)]),
      );
      return { step: body.step, state: body.state, tensors };
    } catch (error) {
      throw new CheckpointError(path, (error as Error).message);
    }
  }

  /**
   * The newest checkpoint that verifies; undefined when there are no checkpoint files. When there
   * are files but none verifies, throws a {@link CheckpointError} listing every problem.
   */
  latest(): LoadedCheckpoint | undefined {
    const rejected: LoadedCheckpoint['rejected'] = [];
    for (const path of this.list().reverse()) {
      try {
        return { path, data: this.read(path), rejected };
      } catch (error) {
        rejected.push({ path, problem: (error as Error).message });
      }
    }
    if (rejected.length === 0) return undefined;
    throw new CheckpointError(
      this.dir,
      `no checkpoint verifies (${rejected.map((r) => r.problem).join('; ')})`,
    );
  }
}

/** A trainer's own part of a checkpoint, parsed with its schema; a mismatch is a {@link CheckpointError}. */
export function checkpointState<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CheckpointError('checkpoint', `state: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** A checkpoint's tensor group `name`; its absence is a {@link CheckpointError} naming it. */
export function checkpointTensors(tensors: Record<string, NamedValues[]>, name: string): NamedValues[] {
  const values = tensors[name];
  if (!values) throw new CheckpointError('checkpoint', `no ${name} tensors`);
  return values;
}

function digest(body: unknown): string {
  return platform.sha256(JSON.stringify(body));
}
