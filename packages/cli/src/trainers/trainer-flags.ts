import { backendSchema } from '@metagrad/core';
import type { z } from 'zod';
import { type SchemaFlag, schemaFlags } from '../flags/schema-flags.js';
import type { AnyTrainer } from './trainer-registry.js';

const schemas = new WeakMap<AnyTrainer, z.ZodObject>();
const flags = new WeakMap<AnyTrainer, SchemaFlag[]>();

/** A trainer's settings as the CLI runs them: the trainer's own, plus the tensor backend. */
export function hostedSchema(trainer: AnyTrainer): z.ZodObject {
  let schema = schemas.get(trainer);
  if (!schema) {
    schema = trainer.schema.extend({ backend: backendSchema });
    schemas.set(trainer, schema);
  }
  return schema;
}

/** The `--flags` of `metagrad <trainer> train`, one per setting, each declared once. */
export function trainerFlags(trainer: AnyTrainer): SchemaFlag[] {
  let made = flags.get(trainer);
  if (!made) {
    made = schemaFlags(hostedSchema(trainer), {
      ...(trainer.flagNames && { rename: { ...trainer.flagNames } }),
      ...(trainer.configOnly && { skip: trainer.configOnly }),
    });
    flags.set(trainer, made);
  }
  return made;
}
