import { backendSchema, ConfigError } from '@metagrad/core';

/** The environment variable that chooses the backend when neither a flag nor a config file does. */
export const BACKEND_VARIABLE = 'METAGRAD_BACKEND';

/**
 * Sets `values.backend` from METAGRAD_BACKEND when the command line and the config file leave it
 * unset (a flag or a config file wins; a resumed run keeps its own). An unknown name is a
 * ConfigError naming the variable.
 */
export function backendFromEnvironment(values: Record<string, unknown>, file: Record<string, unknown>): void {
  const name = process.env[BACKEND_VARIABLE];
  if (name === undefined || name === '' || values.backend !== undefined || file.backend !== undefined) return;
  const parsed = backendSchema.safeParse(name);
  if (!parsed.success)
    throw new ConfigError(
      BACKEND_VARIABLE,
      name,
      `expected one of ${backendSchema.unwrap().options.join(', ')}`,
    );
  values.backend = parsed.data;
}
