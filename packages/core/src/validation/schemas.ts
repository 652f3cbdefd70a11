import { z } from 'zod';

/** A finite number strictly greater than zero (temperatures, step sizes, scales). */
export const positiveNumber = z.number().refine((v) => Number.isFinite(v) && v > 0, {
  message: 'must be a finite number > 0',
});

/** A seed: a safe integer or a non-empty string. */
export const seedSchema = z
  .union([z.number().int().safe(), z.string().min(1)])
  .describe('root seed: an integer or a string');
