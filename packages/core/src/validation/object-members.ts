import { ConfigError } from './config-error.js';

/** What a member of an object from user code must be: a method, a name, or a count. */
export type MemberKind = 'method' | 'string' | 'count' | 'positive count';

/**
 * Checks an object that user code returned (a task family, an environment, a trainer) before
 * metagrad uses it: the first member that is missing or of the wrong kind, described in words
 * (`its describe is missing; expected a method`), or undefined when every member fits.
 *
 * @example
 * ```ts
 * memberProblem({ name: 'x' }, { name: 'string', sample: 'method' }, 'a TaskFamily');
 * // 'a TaskFamily whose sample is missing; expected a method'
 * ```
 */
export function memberProblem(
  made: unknown,
  members: Readonly<Record<string, MemberKind>>,
  what: string,
): string | undefined {
  if (typeof made !== 'object' || made === null)
    return `${made === null ? 'null' : typeof made}, not ${what}`;
  const object = made as Record<string, unknown>;
  for (const [member, kind] of Object.entries(members)) {
    const value = object[member];
    const fits =
      kind === 'method'
        ? typeof value === 'function'
        : kind === 'string'
          ? typeof value === 'string'
          : Number.isSafeInteger(value) && (value as number) >= (kind === 'count' ? 0 : 1);
    if (fits) continue;
    const expected =
      kind === 'method'
        ? 'a method'
        : kind === 'string'
          ? 'a string'
          : `a ${kind === 'count' ? 'non-negative' : 'positive'} integer`;
    const found = value === undefined ? 'missing' : (JSON.stringify(value) ?? typeof value);
    return `${what} whose ${member} is ${found}; expected ${expected}`;
  }
  return undefined;
}

/**
 * Wraps a user module's `create` so that every object it returns is checked with
 * {@link memberProblem} before use; a misfit is a {@link ConfigError} naming `flag` and the
 * module's `path` (exit 2 from the CLI), not an internal error deep inside training.
 */
export function checkedFactory<S, T>(
  create: (settings: S) => unknown,
  members: Readonly<Record<string, MemberKind>>,
  what: string,
  flag: string,
  path: string,
): (settings: S) => T {
  return (settings) => {
    const made = create(settings);
    const problem = memberProblem(made, members, what);
    if (problem) throw new ConfigError(flag, path, `create() returned ${problem}`);
    return made as T;
  };
}
