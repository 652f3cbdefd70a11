import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RECIPES, defaultRecipe, defaultRecipeLines } from './agent/default-recipes.js';
import { rl2ConfigSchema } from './agent/rl2-config.js';

const dir = new URL('../recipes/', import.meta.url);
// With the ablations' configs in recipes/ablations/.
const recipes = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) =>
  name.endsWith('.json'),
);

describe('recipes (packages/rl/recipes, for rl2 train --config)', () => {
  it('exist', () => {
    expect(recipes.length).toBeGreaterThan(0);
  });

  // Strict: a misspelt setting would otherwise be dropped silently and the recipe would lie.
  it.each(recipes)('%s is a valid RL² config with no unknown settings', (name) => {
    const parsed = rl2ConfigSchema.strict().safeParse(JSON.parse(readFileSync(new URL(name, dir), 'utf8')));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it.each(DEFAULT_RECIPES.map((entry) => [entry.recipe, entry.contents] as const))(
    'the default recipe %s holds what its file holds',
    (name, contents) => {
      expect(contents).toEqual(JSON.parse(readFileSync(new URL(name, dir), 'utf8')));
    },
  );

  it('the help lines name each default recipe with the trial lengths that choose it', () => {
    const lines = defaultRecipeLines();
    expect(lines).toHaveLength(DEFAULT_RECIPES.length);
    for (const line of lines) {
      const match = line.match(/^(\w+)(?:, n (≤|>) (\d+))?: (recipes\/\S+)$/);
      expect(match).not.toBeNull();
      const [, env, relation, bound, name] = match!;
      // A trial length the line covers (its bound, or one past it for `>`) picks the recipe it names.
      const episodes = bound === undefined ? 10 : relation === '≤' ? Number(bound) : Number(bound) + 1;
      expect(defaultRecipe(env!, episodes)?.name).toBe(name);
    }
  });
});
