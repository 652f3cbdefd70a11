import type { Rl2ConfigInput } from './rl2-config.js';

/**
 * The recipes (files in the package's `recipes/`) whose settings `rl2 train` uses by default on
 * each environment: the ones the README reports, so that a command typed without a config file
 * trains what the README measured, not the library's generic defaults. The first entry whose
 * environment matches and whose `maxEpisodes` admits the trial length wins. Each file's contents
 * are written here too, so that no file is read (a browser has none); a test keeps them equal.
 */
export const DEFAULT_RECIPES: {
  env: string;
  maxEpisodes?: number;
  recipe: string;
  contents: Record<string, unknown>;
}[] = [
  {
    env: 'bandit',
    maxEpisodes: 10,
    recipe: 'bandit-10x5-trpo.json',
    contents: {
      env: 'bandit',
      arms: 5,
      episodes: 10,
      algorithm: 'trpo',
      valueNetwork: 'separate',
      batch: 512,
      iterations: 400,
    },
  },
  {
    env: 'bandit',
    recipe: 'bandit-100x5-ppo-critic-time.json',
    contents: {
      env: 'bandit',
      arms: 5,
      episodes: 100,
      valueNetwork: 'separate',
      batch: 1024,
      minibatches: 8,
      learningRateSchedule: 'linear',
      iterations: 240,
      gaeLambda: 0.8,
      timeInputs: 'critic',
      evalEvery: 10,
      checkpointEvery: 10,
    },
  },
  {
    env: 'mdp',
    recipe: 'mdp-10-ppo-observation-memory.json',
    contents: {
      env: 'mdp',
      episodes: 10,
      hidden: 64,
      valueNetwork: 'separate',
      timeInputs: 'critic',
      batch: 1024,
      minibatches: 8,
      learningRate: 0.001,
      learningRateSchedule: 'linear',
      iterations: 600,
      entropyCoefficient: 0.03,
      gaeLambda: 0.8,
      evalEvery: 10,
      previousObservation: true,
      embedding: 128,
      memorySlots: 16,
      memoryKeys: 'observation',
    },
  },
];

/** Fields that choose a recipe (or that the user sets for the problem) rather than come from it. */
const PROBLEM_FIELDS = new Set(['env', 'arms', 'episodes']);

/** A recipe's name and the training settings it fixes. */
export interface DefaultRecipe {
  name: string;
  settings: Partial<Rl2ConfigInput>;
}

/**
 * The recipe `rl2 train` starts from for `env` with trials of `episodes` episodes (undefined for an
 * environment without one, such as a user's own): its settings less the problem's own fields.
 *
 * @example
 * ```ts
 * defaultRecipe('bandit', 10)?.settings; // { algorithm: 'trpo', valueNetwork: 'separate', batch: 512, iterations: 400 }
 * ```
 */
export function defaultRecipe(env: string, episodes: number): DefaultRecipe | undefined {
  const entry = DEFAULT_RECIPES.find(
    (r) => r.env === env && (r.maxEpisodes === undefined || episodes <= r.maxEpisodes),
  );
  if (!entry) return undefined;
  const settings = Object.fromEntries(
    Object.entries(entry.contents).filter(([field]) => !PROBLEM_FIELDS.has(field)),
  );
  return { name: `recipes/${entry.recipe}`, settings };
}

/**
 * One line per default recipe, saying which problems it is for (`bandit, n ≤ 10: recipes/…`), for
 * help texts: written from {@link DEFAULT_RECIPES}, so that a new default shows up there by itself.
 */
export function defaultRecipeLines(): string[] {
  const bounds = new Map<string, number>();
  return DEFAULT_RECIPES.map(({ env, maxEpisodes, recipe }) => {
    const above = bounds.get(env);
    if (maxEpisodes !== undefined) bounds.set(env, maxEpisodes);
    const lower = above !== undefined ? `${above} < ` : '';
    const range =
      maxEpisodes !== undefined
        ? `, ${lower}n ≤ ${maxEpisodes}`
        : above !== undefined
          ? `, n > ${above}`
          : '';
    return `${env}${range}: recipes/${recipe}`;
  });
}
