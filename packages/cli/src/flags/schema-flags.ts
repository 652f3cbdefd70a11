import { ConfigError, parseConfig } from '@metagrad/core';
import { type Command, Option } from 'commander';
import type { z } from 'zod';

/** One command-line flag derived from a field of a zod config schema. */
export interface SchemaFlag {
  /** The config field it sets. */
  field: string;
  /** Its name on the command line, without dashes (kebab-case of the field unless renamed). */
  flag: string;
  /**
   * What it takes: a number, an integer, a list of integers, a name among `choices` (or a list of
   * them), free text, or nothing.
   */
  kind: 'number' | 'int' | 'int-list' | 'choice' | 'choice-list' | 'text' | 'switch' | 'negated-switch';
  choices?: readonly string[];
  /** Bounds (numbers, or list entries), from the schema; either may be exclusive (`> 0`, `< 1`). */
  min?: number;
  minExclusive?: boolean;
  max?: number;
  maxExclusive?: boolean;
  /** The schema's default, for the help text. */
  defaultValue?: unknown;
  /** The field has no default and is not optional: the flag must be given (or set in `--config`). */
  required?: boolean;
  help: string;
}

/** How a command declares its flags from a schema. */
export interface SchemaFlagOptions {
  /** Command-line names for fields whose kebab-case name is not the flag (`metaLearningRate` → `meta-lr`). */
  rename?: Record<string, string>;
  /** Fields set only through `--config` (e.g. structured schedules). */
  skip?: readonly string[];
  /** Help texts for fields whose schema has no description. */
  help?: Record<string, string>;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

interface ZodLike {
  def: {
    type: string;
    innerType?: ZodLike;
    defaultValue?: unknown;
    checks?: { _zod: { def: { check: string; value?: number; inclusive?: boolean; format?: string } } }[];
    entries?: Record<string, string>;
    element?: ZodLike;
    options?: ZodLike[];
  };
  description?: string;
}

/** The flags a schema's fields make, in the schema's order. */
export function schemaFlags(schema: z.ZodObject, options: SchemaFlagOptions = {}): SchemaFlag[] {
  const flags: SchemaFlag[] = [];
  for (const [field, raw] of Object.entries(schema.shape) as [string, ZodLike][]) {
    if (options.skip?.includes(field)) continue;
    let node = raw;
    let defaultValue: unknown;
    let description = raw.description;
    const required = raw.def.type !== 'default' && raw.def.type !== 'optional';
    while (node.def.type === 'default' || node.def.type === 'optional') {
      if (node.def.type === 'default') defaultValue = node.def.defaultValue;
      node = node.def.innerType!;
      description ??= node.description;
    }
    const help = options.help?.[field] ?? description ?? field;
    const flag = options.rename?.[field] ?? kebab(field);
    const base = {
      field,
      flag,
      help,
      ...(defaultValue !== undefined && { defaultValue }),
      ...(required && { required }),
    };
    const type = node.def.type;
    if (type === 'number') flags.push({ ...base, ...numberKind(node), ...bounds(node) });
    else if (type === 'boolean')
      flags.push({ ...base, kind: defaultValue === true ? 'negated-switch' : 'switch' });
    else if (type === 'enum')
      flags.push({ ...base, kind: 'choice', choices: Object.values(node.def.entries!) });
    else if (type === 'array' && node.def.element?.def.type === 'number')
      flags.push({ ...base, kind: 'int-list', ...bounds(node.def.element) });
    else if (type === 'array' && node.def.element?.def.type === 'enum')
      flags.push({ ...base, kind: 'choice-list', choices: Object.values(node.def.element.def.entries!) });
    else if (type === 'string' || type === 'union') flags.push({ ...base, kind: 'text' });
    else throw new Error(`schemaFlags: ${field} (${type}) has no flag form; list it in skip`);
  }
  return flags;
}

function numberKind(node: ZodLike): { kind: 'int' | 'number' } {
  const int = node.def.checks?.some((c) => c._zod.def.format === 'safeint' || c._zod.def.format === 'int');
  return { kind: int ? 'int' : 'number' };
}

function bounds(node: ZodLike): Pick<SchemaFlag, 'min' | 'minExclusive' | 'max' | 'maxExclusive'> {
  const out: Pick<SchemaFlag, 'min' | 'minExclusive' | 'max' | 'maxExclusive'> = {};
  for (const { _zod } of node.def.checks ?? []) {
    const { check, value, inclusive } = _zod.def;
    if (value === undefined) continue;
    if (check === 'greater_than') Object.assign(out, { min: value, minExclusive: !inclusive });
    if (check === 'less_than') Object.assign(out, { max: value, maxExclusive: !inclusive });
  }
  return out;
}

/** `1–500`, `> 0`, `≤ 1e6`: a flag's bounds for its help text. */
function range(flag: SchemaFlag): string {
  const fmt = (v: number) => (Math.abs(v) >= 1e5 ? v.toExponential().replace('e+', 'e') : String(v));
  const max = flag.max === undefined ? undefined : `${flag.maxExclusive ? '<' : '≤'} ${fmt(flag.max)}`;
  if (flag.min === undefined) return max ?? '';
  if (flag.minExclusive) return max === undefined ? `> ${fmt(flag.min)}` : `> ${fmt(flag.min)}, ${max}`;
  if (flag.maxExclusive) return `≥ ${fmt(flag.min)}, ${max}`;
  return max === undefined ? `≥ ${fmt(flag.min)}` : `${fmt(flag.min)}–${fmt(flag.max!)}`;
}

/** The help line of a flag: its description, choices or bounds, and the real default. */
export function flagHelp(flag: SchemaFlag): string {
  if (flag.kind === 'negated-switch') return `turn off: ${flag.help} (on by default)`;
  const parts = [flag.help];
  if (flag.choices) parts.push(flag.choices.join(' | '));
  const bounds = range(flag);
  if (bounds) parts.push(bounds);
  // A description that states its default (e.g. "one per core") says it better than the value here.
  if (flag.defaultValue !== undefined && flag.kind !== 'switch' && !/\bdefault\b/.test(flag.help))
    parts.push(
      `default ${Array.isArray(flag.defaultValue) ? flag.defaultValue.join(',') : String(flag.defaultValue)}`,
    );
  return parts.join('; ');
}

/** Parses a flag's text as its kind; a malformed value is a ConfigError naming the flag (exit 2). */
function parser(flag: SchemaFlag): ((value: string) => unknown) | undefined {
  const number = (value: string, integer: boolean) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)))
      throw new ConfigError(flag.flag, value, integer ? 'expected an integer' : 'expected a number');
    return n;
  };
  switch (flag.kind) {
    case 'int':
      return (value) => number(value, true);
    case 'number':
      return (value) => number(value, false);
    case 'choice-list':
      return (value) => value.split(',');
    case 'int-list':
      return (value) => {
        const parts = value.split(',');
        if (parts.some((p) => !Number.isInteger(Number(p)) || p.trim() === ''))
          throw new ConfigError(flag.flag, value, 'expected comma-separated integers');
        return parts.map(Number);
      };
    default:
      return undefined;
  }
}

/** Declares `flags` on a command: each once, with its help text, real default and bounds. */
export function addSchemaFlags(command: Command, flags: SchemaFlag[]): Command {
  for (const flag of flags) {
    const placeholder =
      flag.kind === 'int-list' || flag.kind === 'choice-list'
        ? ' <list>'
        : flag.kind === 'switch' || flag.kind === 'negated-switch'
          ? ''
          : ' <value>';
    const name = flag.kind === 'negated-switch' ? `--no-${flag.flag}` : `--${flag.flag}`;
    const option = new Option(`${name}${placeholder}`, flagHelp(flag));
    const parse = parser(flag);
    if (parse) option.argParser(parse);
    if (flag.required) option.makeOptionMandatory();
    command.addOption(option);
  }
  return command;
}

/** The config values set on the command line, keyed by field (unset flags are left out). */
export function flagValues(options: Record<string, unknown>, flags: SchemaFlag[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const flag of flags) {
    const key = flag.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const value = options[key];
    if (value === undefined) continue;
    // commander sets a negated switch's default (true) itself: only `false` was typed.
    if (flag.kind === 'negated-switch' && value !== false) continue;
    values[flag.field] = flag.field === 'seed' ? seedValue(flag.flag, String(value)) : value;
  }
  return values;
}

/**
 * A seed as typed: a decimal integer becomes a number, and must be exact (past 2^53 it would round
 * to another seed); other text is a named seed, unless it reads as a number of another form
 * (`1.5`, `0x10`, `1e3`), which is refused rather than taken for a name.
 */
function seedValue(flag: string, text: string): number | string {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    if (!Number.isSafeInteger(n))
      throw new ConfigError(flag, text, 'an integer seed must lie within ±9007199254740991');
    return n;
  }
  if (text.trim() !== '' && Number.isFinite(Number(text)))
    throw new ConfigError(flag, text, 'a seed is a decimal integer or a name that does not read as a number');
  return text;
}

/**
 * Validates a config file's values overlaid with flags (flags win) against `schema`; an invalid
 * value is a ConfigError naming the flag that sets it (or the config field, for file-only ones).
 */
export function resolveFlags<S extends z.ZodType>(
  schema: S,
  file: Record<string, unknown>,
  values: Record<string, unknown>,
  flags: SchemaFlag[],
): z.output<S> {
  try {
    return parseConfig(schema, { ...file, ...values });
  } catch (error) {
    throw namedByFlag(error, flags);
  }
}

/**
 * A ConfigError about a config field, renamed after the flag that sets it (`startUnroll` →
 * `start-unroll`), so that the message names what the user typed; other errors pass unchanged.
 */
export function namedByFlag(error: unknown, flags: SchemaFlag[]): unknown {
  if (!(error instanceof ConfigError)) return error;
  const [field] = error.field.split('.');
  const flag = flags.find((f) => f.field === field);
  if (!flag) return error;
  return new ConfigError(flag.flag, error.value, error.reason);
}
