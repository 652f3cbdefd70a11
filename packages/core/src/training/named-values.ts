import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { readTensors } from '../backend/read-tensors.js';
import { decodeFloat32, encodeFloat32 } from '../logging/float32-codec.js';

/** A tensor as plain named data: what checkpoints and saved models store. */
export interface NamedValues {
  name: string;
  shape: number[];
  values: Float32Array;
}

/** {@link NamedValues} with base64 float32 data, as stored in JSON. */
export const encodedValuesSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  data: z.string(),
});
export type EncodedValues = z.infer<typeof encodedValuesSchema>;

/** Encodes named values for JSON. */
export function encodeValues(values: NamedValues[]): EncodedValues[] {
  return values.map((w) => ({ name: w.name, shape: w.shape, data: encodeFloat32(w.values) }));
}

/** Decodes {@link encodeValues}' output; throws, naming `what` and the entry, when a size is wrong. */
export function decodeValues(encoded: EncodedValues[], what: string): NamedValues[] {
  return encoded.map((w) => ({
    name: w.name,
    shape: w.shape,
    values: decodeFloat32(w.data, sizeOf(w.shape), `${what}: ${w.name}`),
  }));
}

/** Reads variables (or any tensors) as named values, in one transfer. */
export async function valuesOf(
  tensors: readonly tf.Tensor[],
  names: readonly string[],
): Promise<NamedValues[]> {
  const values = await readTensors(tensors);
  return tensors.map((t, i) => ({ name: names[i]!, shape: t.shape, values: values[i]! }));
}

/**
 * Assigns named values to variables of the same names and shapes; throws naming the first weight
 * that is missing or has another shape, before anything is assigned.
 */
export function assignValues(
  variables: readonly tf.Variable[],
  names: readonly string[],
  values: NamedValues[],
): void {
  const byName = new Map(values.map((w) => [w.name, w]));
  const matched = variables.map((v, i) => {
    const name = names[i]!;
    const w = byName.get(name);
    if (!w) throw new Error(`missing weight ${name}`);
    if (w.shape.join('x') !== v.shape.join('x') || w.values.length !== v.size)
      throw new Error(`weight ${name} has shape [${w.shape}] but [${v.shape}] is expected`);
    return w;
  });
  variables.forEach((v, i) => {
    tf.tidy(() => v.assign(tf.tensor(matched[i]!.values, v.shape)));
  });
}

/** True when every value is finite. */
export function allFinite(values: NamedValues[]): boolean {
  return values.every((w) => w.values.every(Number.isFinite));
}

function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
