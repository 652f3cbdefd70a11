import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MAIN, NODE, TS_LOADER } from '../testing/run-metagrad.js';

const evaluate = (backend: string | undefined, ...flags: string[]) => {
  const env = { ...process.env };
  delete env.METAGRAD_BACKEND;
  if (backend !== undefined) env.METAGRAD_BACKEND = backend;
  const args = ['rl2', 'eval', '--policy', 'random', '--trials', '10', '--json', ...flags];
  const result = spawnSync(NODE, [...TS_LOADER, MAIN, ...args], { encoding: 'utf8', env, timeout: 120_000 });
  return {
    code: result.status,
    backend: result.status === 0 ? JSON.parse(result.stdout).backend : undefined,
  };
};

describe('METAGRAD_BACKEND', () => {
  it('chooses the backend when no flag does, and a flag wins over it', () => {
    expect(evaluate(undefined)).toEqual({ code: 0, backend: 'wasm' });
    expect(evaluate('cpu')).toEqual({ code: 0, backend: 'cpu' });
    expect(evaluate('cpu', '--backend', 'wasm')).toEqual({ code: 0, backend: 'wasm' });
  });
});
