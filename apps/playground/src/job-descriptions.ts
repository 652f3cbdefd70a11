/** The page's two trainings as the page shows them; `jobs.ts` pairs each with its trainer. */
export type JobId = 'l2l' | 'rl2';

export interface JobDescription {
  title: string;
  blurb: string;
  /** The setting that sets how long training runs: its name, label and the page's default. */
  length: { field: string; label: string; value: number };
  /** The trained model, as the chart's legend names it. */
  model: string;
  /** The folder of the run directory the download zips, and the command that reads it. */
  savedModel: { folder: string; command: string };
}

export const JOB_DESCRIPTIONS: Record<JobId, JobDescription> = {
  l2l: {
    title: 'Learned optimizer on quadratics',
    blurb:
      'Meta-trains the coordinatewise LSTM optimizer of Andrychowicz et al. (2016) on random 10-dimensional quadratics. The chart shows its held-out log10 final loss (lower is better) against SGD, momentum, NAG, RMSProp and Adam, each tuned on tasks of their own; at the end, the comparison on test tasks.',
    length: { field: 'epochs', label: 'Epochs', value: 60 },
    model: 'learned optimizer (LSTM)',
    savedModel: { folder: 'optimizer', command: 'metagrad l2l eval --optimizer optimizer' },
  },
  rl2: {
    title: 'RL² agent on a 5-armed bandit',
    blurb:
      'Trains a GRU policy with TRPO to explore Bernoulli bandits (10 pulls of 5 arms), as in RL² (Duan et al. 2016). The chart shows its held-out mean reward per trial (higher is better) against UCB1, Thompson sampling, the Gittins index and the exact Bayes-optimal policy.',
    length: { field: 'iterations', label: 'Iterations', value: 60 },
    model: 'RL² agent (GRU)',
    savedModel: { folder: 'agent', command: 'metagrad rl2 eval --policy agent' },
  },
};
