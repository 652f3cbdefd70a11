import type { z } from 'zod';

/**
 * A configuration value was rejected. `field` is the dotted path of the offending
 * field and `value` what was given; `message` is one line that names both, fit to
 * print as-is (the CLI exits with code 2 on it).
 *
 * @example
 * ```ts
 * try { gumbelSoftmax(logits, { temperature: -1 }); }
 * catch (e) { if (e instanceof ConfigError) console.error(e.message); }
 * // invalid temperature: -1 (must be a finite number > 0)
 * ```
 */
export class ConfigError extends Error {
  readonly field: string;
  readonly value: unknown;
  /** Why the value was rejected (the part of the message in parentheses). */
  readonly reason: string;

  constructor(field: string, value: unknown, reason: string) {
    super(`invalid ${field}: ${formatValue(value)} (${reason})`);
    this.name = 'ConfigError';
    this.field = field;
    this.value = value;
    this.reason = reason;
  }
}

/** Renders a rejected value compactly for an error line. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (Array.isArray(value)) return `[${value.length} items]`;
  if (typeof value === 'object' && 'shape' in value && Array.isArray(value.shape)) {
    return `tensor of shape [${value.shape.join(', ')}]`;
  }
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}

/**
 * Parses `input` with a zod schema; on failure throws a {@link ConfigError} for the first
 * issue, naming the field (prefixed by `context`, e.g. `"gumbelSoftmax"`) and the value given.
 *
 * @example
 * ```ts
 * const cfg = parseConfig(z.object({ steps: z.number().int().positive() }), { steps: 0 }, 'train');
 * // throws: invalid train.steps: 0 (Too small: expected number to be >0)
 * ```
 */
export function parseConfig<S extends z.ZodType>(schema: S, input: unknown, context?: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String);
  const field = [context, ...path].filter((p) => p !== undefined && p !== '').join('.') || 'config';
  throw new ConfigError(field, valueAt(input, issue.path), issue.message);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cursor: unknown = input;
  for (const key of path) {
    if (cursor == null || typeof cursor !== 'object') return undefined;
    cursor = (cursor as Record<PropertyKey, unknown>)[key];
  }
  return cursor;
}
