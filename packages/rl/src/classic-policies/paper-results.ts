/**
 * Mean total reward per trial reported by Duan et al. (2016), "RL²: Fast Reinforcement Learning
 * via Slow Reinforcement Learning" (arXiv:1611.02779), Table 1 (Bernoulli bandits, keyed `n×k`:
 * n pulls, k arms) and Table 2 (random tabular MDPs, keyed by n episodes of 10 steps). Columns use
 * this package's policy names; `rl2` is the paper's agent. The values agree with the copy of both
 * tables in lucaslingle/pytorch_rl2's README.
 */
export const PAPER_BANDIT_RESULTS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  '10x5': {
    random: 5.0,
    gittins: 6.6,
    thompson: 5.7,
    ots: 6.5,
    ucb1: 6.7,
    'epsilon-greedy': 6.6,
    greedy: 6.6,
    rl2: 6.7,
  },
  '10x10': {
    random: 5.0,
    gittins: 6.6,
    thompson: 5.5,
    ots: 6.2,
    ucb1: 6.7,
    'epsilon-greedy': 6.6,
    greedy: 6.6,
    rl2: 6.7,
  },
  '10x50': {
    random: 5.1,
    gittins: 6.5,
    thompson: 5.2,
    ots: 5.5,
    ucb1: 6.6,
    'epsilon-greedy': 6.5,
    greedy: 6.5,
    rl2: 6.8,
  },
  '100x5': {
    random: 49.9,
    gittins: 78.3,
    thompson: 74.7,
    ots: 77.9,
    ucb1: 78.0,
    'epsilon-greedy': 75.4,
    greedy: 74.8,
    rl2: 78.7,
  },
  '100x10': {
    random: 49.9,
    gittins: 82.8,
    thompson: 76.7,
    ots: 81.4,
    ucb1: 82.4,
    'epsilon-greedy': 77.4,
    greedy: 77.1,
    rl2: 83.5,
  },
  '100x50': {
    random: 49.8,
    gittins: 85.2,
    thompson: 64.5,
    ots: 67.7,
    ucb1: 84.3,
    'epsilon-greedy': 78.3,
    greedy: 78.0,
    rl2: 84.9,
  },
  '500x5': {
    random: 249.8,
    gittins: 405.8,
    thompson: 402.0,
    ots: 406.7,
    ucb1: 405.8,
    'epsilon-greedy': 388.2,
    greedy: 380.6,
    rl2: 401.6,
  },
  '500x10': {
    random: 249.0,
    gittins: 437.8,
    thompson: 429.5,
    ots: 438.9,
    ucb1: 437.1,
    'epsilon-greedy': 408.0,
    greedy: 395.0,
    rl2: 432.5,
  },
  '500x50': {
    random: 249.6,
    gittins: 463.7,
    thompson: 427.2,
    ots: 437.6,
    ucb1: 457.6,
    'epsilon-greedy': 413.6,
    greedy: 402.8,
    rl2: 438.9,
  },
};

/** Duan et al. (2016), Table 2: tabular MDPs, keyed by the number of episodes n. See {@link PAPER_BANDIT_RESULTS}. */
export const PAPER_MDP_RESULTS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  '10': {
    random: 100.1,
    psrl: 138.1,
    opsrl: 144.1,
    ucrl2: 146.6,
    beb: 150.2,
    'epsilon-greedy': 132.8,
    greedy: 134.8,
    rl2: 156.2,
  },
  '25': {
    random: 250.2,
    psrl: 408.8,
    opsrl: 425.2,
    ucrl2: 424.1,
    beb: 427.8,
    'epsilon-greedy': 377.3,
    greedy: 368.8,
    rl2: 445.7,
  },
  '50': {
    random: 499.7,
    psrl: 904.4,
    opsrl: 930.7,
    ucrl2: 918.9,
    beb: 917.8,
    'epsilon-greedy': 823.3,
    greedy: 769.3,
    rl2: 936.1,
  },
  '75': {
    random: 749.9,
    psrl: 1417.1,
    opsrl: 1449.2,
    ucrl2: 1427.6,
    beb: 1422.6,
    'epsilon-greedy': 1293.9,
    greedy: 1172.9,
    rl2: 1428.8,
  },
  '100': {
    random: 999.4,
    psrl: 1939.5,
    opsrl: 1973.9,
    ucrl2: 1942.1,
    beb: 1935.1,
    'epsilon-greedy': 1778.2,
    greedy: 1578.5,
    rl2: 1913.7,
  },
};

/** The paper's number for a policy in a setting (`n×k` for bandits, `n` for MDPs), if it reports one. */
export function paperResult(env: 'bandit' | 'mdp', setting: string, policy: string): number | undefined {
  return (env === 'bandit' ? PAPER_BANDIT_RESULTS : PAPER_MDP_RESULTS)[setting]?.[policy];
}
