import type { TrainerDescriptor, TrainerSettings } from '@metagrad/core';
import { ConfigError } from '@metagrad/core';
import { l2lTraining } from '@metagrad/optimizers';
import { rl2Training } from '@metagrad/rl';

/** Any trainer's descriptor, as the CLI holds it (it reads configurations as plain records). */
// biome-ignore lint/suspicious/noExplicitAny: the CLI hosts trainers of every settings type.
export type AnyTrainer = TrainerDescriptor<any>;

const trainers = new Map<string, AnyTrainer>([
  [l2lTraining.name, l2lTraining],
  [rl2Training.name, rl2Training],
]);

/**
 * Adds a trainer the CLI can host: `metagrad <name> train`, its dashboard, `runs compare` and the
 * rest. A name or run kind already taken is a ConfigError.
 */
export function registerTrainer<C extends TrainerSettings>(trainer: TrainerDescriptor<C>): void {
  const known = trainers.get(trainer.name);
  if (known === trainer) return;
  if (known) throw new ConfigError('trainer', trainer.name, 'is already registered');
  if (trainerOfKind(trainer.kind))
    throw new ConfigError('trainer', trainer.kind, 'is the kind of another trainer');
  trainers.set(trainer.name, trainer as AnyTrainer);
}

/** Every registered trainer, built-in ones first. */
export function registeredTrainers(): AnyTrainer[] {
  return [...trainers.values()];
}

/** The trainer registered as `name`; a ConfigError listing the known ones otherwise. */
export function trainerNamed(name: string): AnyTrainer {
  const trainer = trainers.get(name);
  if (!trainer) throw new ConfigError('trainer', name, `known trainers: ${[...trainers.keys()].join(', ')}`);
  return trainer;
}

/** The trainer whose runs config.json records as `kind` (undefined for a trainer not loaded here). */
export function trainerOfKind(kind: string): AnyTrainer | undefined {
  return [...trainers.values()].find((t) => t.kind === kind);
}
