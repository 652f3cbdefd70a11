import type { TrainerDescriptor } from '@metagrad/core';
import { l2lTraining } from '@metagrad/optimizers';
import { bayesOptimalValue, MAX_BAYES_OPTIMAL_PULLS, rl2Training } from '@metagrad/rl';
import { JOB_DESCRIPTIONS, type JobDescription, type JobId } from './job-descriptions.js';

/** A page's training: the trainer, and its settings sized for a browser tab. */
export interface PlaygroundJob {
  id: JobId;
  description: JobDescription;
  // biome-ignore lint/suspicious/noExplicitAny: the descriptors differ in their settings type
  trainer: TrainerDescriptor<any>;
  /** Settings as a `train` command takes them; the page sets the length and the seed. */
  settings: Record<string, unknown>;
  /** Reference values known in closed form, beside the baselines the trainer evaluates. */
  exactReferences(config: Record<string, unknown>): { label: string; value: number }[];
}

const length = (id: JobId) => ({ [JOB_DESCRIPTIONS[id].length.field]: JOB_DESCRIPTIONS[id].length.value });

export const JOBS: Record<JobId, PlaygroundJob> = {
  l2l: {
    id: 'l2l',
    description: JOB_DESCRIPTIONS.l2l,
    trainer: l2lTraining,
    settings: { task: 'quadratic', evalEvery: 5, evalInstances: 64, workers: 1, ...length('l2l') },
    exactReferences: () => [],
  },
  rl2: {
    id: 'rl2',
    description: JOB_DESCRIPTIONS.rl2,
    trainer: rl2Training,
    settings: {
      env: 'bandit',
      arms: 5,
      episodes: 10,
      evalEvery: 5,
      evalTrials: 500,
      workers: 1,
      ...length('rl2'),
    },
    exactReferences: (config) => {
      const pulls = Number(config.episodes);
      return pulls <= MAX_BAYES_OPTIMAL_PULLS
        ? [{ label: 'Bayes-optimal (exact)', value: bayesOptimalValue(pulls, Number(config.arms)) }]
        : [];
    },
  },
};
