import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseConfig } from './config-error.js';

describe('parseConfig', () => {
  const schema = z.object({ train: z.object({ steps: z.number().int().positive() }), name: z.string() });

  it('returns the parsed value', () => {
    expect(parseConfig(schema, { train: { steps: 3 }, name: 'a' })).toEqual({
      train: { steps: 3 },
      name: 'a',
    });
  });

  it('names the nested field and the value in one line', () => {
    try {
      parseConfig(schema, { train: { steps: -4 }, name: 'a' }, 'config');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const e = error as ConfigError;
      expect(e.field).toBe('config.train.steps');
      expect(e.value).toBe(-4);
      expect(e.message).toMatch(/^invalid config\.train\.steps: -4 \(/);
      expect(e.message).not.toContain('\n');
    }
  });

  it('quotes strings', () => {
    expect(() => parseConfig(schema, { train: { steps: 1 }, name: 5 })).toThrow(/invalid name: 5 /);
    expect(() => parseConfig(z.enum(['a', 'b']), 'c', 'mode')).toThrow(/invalid mode: "c"/);
  });
});
