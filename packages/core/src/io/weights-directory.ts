import { z } from 'zod';
import { platform } from '#platform';
import type { NamedValues } from '../training/named-values.js';
import { writeDirectoryAtomic } from './durable-write.js';
import { fileSystem, readTextFile } from './file-system.js';

const WEIGHTS_FILE = 'weights.bin';

/** Where each weight lies in `weights.bin`. */
const layoutSchema = z.array(
  z.object({
    name: z.string(),
    shape: z.array(z.number().int().nonnegative()),
    offset: z.number().int().nonnegative(),
    length: z.number().int().nonnegative(),
  }),
);

/** A saved model directory is missing, unreadable or inconsistent. */
export class SavedModelError extends Error {
  /** What is wrong with it, without the directory (for callers that name the directory their own way). */
  readonly problem: string;

  constructor(dir: string, problem: string) {
    super(`${dir}: not a usable saved model: ${problem}`);
    this.name = 'SavedModelError';
    this.problem = problem;
  }
}

/**
 * The one on-disk format of saved models (learned optimizers, RL² agents): a directory holding a
 * JSON manifest (`manifestFile`: the caller's plain-JSON description plus the weight layout) and
 * `weights.bin` (float32, little-endian), replaced as a whole, atomically.
 *
 * @example
 * ```ts
 * saveWeightsDirectory('runs/a/best', 'agent.json', { format: 'metagrad-rl2-agent', version: 2, config }, weights);
 * ```
 */
export function saveWeightsDirectory(
  dir: string,
  manifestFile: string,
  manifest: Record<string, unknown>,
  weights: NamedValues[],
): void {
  let offset = 0;
  const layout = weights.map((w) => {
    const entry = { name: w.name, shape: w.shape, offset, length: w.values.length };
    offset += w.values.length;
    return entry;
  });
  const all = new Float32Array(offset);
  weights.forEach((w, i) => {
    all.set(w.values, layout[i]!.offset);
  });
  writeDirectoryAtomic(dir, {
    [WEIGHTS_FILE]: new Uint8Array(all.buffer),
    [manifestFile]: `${JSON.stringify({ ...manifest, weights: layout }, null, 2)}\n`,
  });
}

/**
 * Reads a directory written by {@link saveWeightsDirectory}: the manifest is parsed and checked
 * with `schema` (plus the layout), the weights read as raw floats; nothing is executed. Problems are
 * {@link SavedModelError}s naming the directory; so is a weight that is not finite (NaN or ±Infinity).
 */
export function loadWeightsDirectory<S extends z.ZodObject>(
  dir: string,
  manifestFile: string,
  schema: S,
): { manifest: z.output<S>; weights: NamedValues[] } {
  const fs = fileSystem();
  const manifestPath = platform.joinPath(dir, manifestFile);
  const weightsPath = platform.joinPath(dir, WEIGHTS_FILE);
  if (!fs.existsSync(manifestPath)) throw new SavedModelError(dir, `missing ${manifestFile}`);
  if (!fs.existsSync(weightsPath)) throw new SavedModelError(dir, `missing ${WEIGHTS_FILE}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readTextFile(manifestPath));
  } catch (error) {
    throw new SavedModelError(dir, `${manifestFile} is not JSON (${(error as Error).message})`);
  }
  const parsed = schema.extend({ weights: layoutSchema }).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SavedModelError(dir, `${manifestFile}: ${issue.path.join('.') || 'root'}: ${issue.message}`);
  }
  const bytes = fs.readFileSync(weightsPath);
  if (bytes.byteLength % 4 !== 0) throw new SavedModelError(dir, `${WEIGHTS_FILE} is not float32 data`);
  const floats = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(floats.buffer).set(bytes);
  const layout = (parsed.data as { weights: z.infer<typeof layoutSchema> }).weights;
  const weights = layout.map((w) => {
    const size = w.shape.reduce((a, b) => a * b, 1);
    if (size !== w.length || w.offset + w.length > floats.length)
      throw new SavedModelError(dir, `weight ${w.name} does not fit ${WEIGHTS_FILE}`);
    const values = floats.slice(w.offset, w.offset + w.length);
    // A NaN or infinite weight would be scored as if it were a model; refuse it by name.
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0)
      throw new SavedModelError(
        dir,
        `weight ${w.name} holds ${values[bad]} at index ${bad}: it is not finite`,
      );
    return { name: w.name, shape: w.shape, values };
  });
  return { manifest: parsed.data as z.output<S>, weights };
}
