import { z } from 'zod';

/** zod schema of {@link LearnedOptimizerConfig}: what a saved optimizer's JSON must hold. */
export const learnedOptimizerConfigSchema = z
  .object({
    kind: z.enum(['lstm', 'discrete-lstm']),
    layers: z.array(z.number().int().positive()).min(1),
    preprocessK: z.number().positive(),
    outputScale: z.number().positive(),
    outputInit: z.enum(['zeros', 'small']),
    stepSizes: z.array(z.number()).min(2).optional(),
    temperature: z
      .object({
        initial: z.number().positive(),
        min: z.number().positive(),
        rate: z.number().nonnegative(),
        every: z.number().int().positive(),
      })
      .optional(),
  })
  .refine((c) => c.kind === 'lstm' || (c.stepSizes !== undefined && c.temperature !== undefined), {
    message: 'discrete-lstm needs stepSizes and temperature',
  });
