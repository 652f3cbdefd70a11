import { ConfigError } from '@metagrad/core';
import { BernoulliBandit } from './bandit.js';
import type { Env } from './env.js';
import { TabularMdp } from './tabular-mdp.js';

/** Settings an environment factory may read (from the RL² config). */
export interface EnvSettings {
  /** Bandit arms (k). */
  arms: number;
}

/** Builds an environment distribution from settings. */
export type EnvFactory = (settings: EnvSettings) => Env;

const factories = new Map<string, EnvFactory>([
  ['bandit', (settings) => new BernoulliBandit(settings.arms)],
  ['mdp', () => new TabularMdp()],
]);

/**
 * Makes an environment distribution available by name, to `Rl2Trainer`'s `config.env`, to saved
 * agents and to the CLI (`--env NAME`, or `--env-module ./my-env.js` that calls this). Built in:
 * `bandit` (Bernoulli bandits, k arms) and `mdp` (random tabular MDPs).
 *
 * @example
 * ```ts
 * registerEnv('chain', () => new ChainEnv(10));
 * new Rl2Trainer({ config: { env: 'chain' } });
 * ```
 */
export function registerEnv(name: string, factory: EnvFactory): void {
  if (factories.has(name)) throw new ConfigError('env', name, 'is already registered');
  factories.set(name, factory);
}

/** The registered environment names. */
export function envNames(): string[] {
  return [...factories.keys()];
}

/** Builds the environment a config names; an unknown name is a ConfigError listing the known ones. */
export function envFor(config: { env: string } & EnvSettings): Env {
  const factory = factories.get(config.env);
  if (!factory) throw new ConfigError('env', config.env, `known environments: ${envNames().join(', ')}`);
  return factory(config);
}
