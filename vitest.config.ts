import { defineConfig } from 'vitest/config';

// One project per package (tests beside the code as `*.test.ts`), and one for the examples.
export default defineConfig({
  test: {
    projects: [
      ...['core', 'optimizers', 'rl', 'cli'].map((name) => ({
        test: {
          name,
          root: `packages/${name}`,
          include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
          environment: 'node',
          setupFiles: [new URL('./vitest.setup.ts', import.meta.url).pathname],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      })),
      {
        test: {
          name: 'playground',
          root: 'apps/playground',
          include: ['src/**/*.test.ts', 'test/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'examples',
          root: 'examples',
          include: ['*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          pool: 'forks',
        },
      },
    ],
    passWithNoTests: true,
  },
});
