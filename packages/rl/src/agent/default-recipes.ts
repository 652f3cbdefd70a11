import { readFileSync } from 'node:fs';
import type { Rl2ConfigInput } from './rl2-config.js';

/**
 * The recipe (a file in the package's `recipes/`) whose settings `rl2 train` uses by default on
 * each environment: the ones the README reports, so that a command typed without a config file
 * trains what the README measured, not the library's generic defaults. The first entry whose
 * environment matches and whose `maxEpisodes` admits the trial length wins.
 */
const DEFAULT_RECIPES: { env: string; maxEpisodes?: number; recipe: string }[] = [
  { env: 'bandit', maxEpisodes: 10, recipe: 'bandit-10x5-trpo.json' },
  { env: 'bandit', recipe: 'bandit-100x5-ppo-critic-time.json' },
  { env: 'mdp', recipe: 'mdp-10-ppo-critic-time.json' },
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
  const recipe = JSON.parse(
    readFileSync(new URL(`../../recipes/${entry.recipe}`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
  const settings = Object.fromEntries(Object.entries(recipe).filter(([field]) => !PROBLEM_FIELDS.has(field)));
  return { name: `recipes/${entry.recipe}`, settings };
}
