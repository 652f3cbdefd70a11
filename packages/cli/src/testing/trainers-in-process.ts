import type { TrainEvent } from '@metagrad/core';
import { l2lTraining } from '@metagrad/optimizers';
import { rl2Training } from '@metagrad/rl';
import type { RunFlags } from '../flags/run-flags.js';
import { runTrainer } from '../run/run-trainer.js';
import type { TrainIo } from '../run/train-protocol.js';
import { planTraining, type TrainerConfig, type TrainingPlan } from '../run/training-plan.js';

type Options = Record<string, unknown> & RunFlags;
type Plan = TrainingPlan<TrainerConfig>;

/** `l2l train` planned in this process from the same fields as its flags. Test utility. */
export const planL2lTrain = (options: Options) => planTraining(options, l2lTraining);
/** A planned `l2l train` run in this process. Test utility. */
export const runL2lTrain = (plan: Plan, io: TrainIo<TrainEvent>) => runTrainer(l2lTraining, plan, io);
/** `rl2 train` planned in this process. Test utility. */
export const planRl2Train = (options: Options) => planTraining(options, rl2Training);
/** A planned `rl2 train` run in this process. Test utility. */
export const runRl2Train = (plan: Plan, io: TrainIo<TrainEvent>) => runTrainer(rl2Training, plan, io);
