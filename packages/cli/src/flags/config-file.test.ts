import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_CONFIG_BYTES, nearest, readConfigFile } from './config-file.js';

const schema = z.object({ epochs: z.number().default(200), metaLearningRate: z.number().default(0.01) });
const dir = mkdtempSync(join(tmpdir(), 'config-file-'));
const file = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('readConfigFile', () => {
  it('reads a JSON object, skipping the byte-order mark some editors write', () => {
    expect(readConfigFile(file('bom.json', '\uFEFF{"epochs": 3}'), schema)).toEqual({ epochs: 3 });
    expect(readConfigFile(undefined, schema)).toEqual({});
  });

  it('refuses an unknown key, naming it and the setting meant', () => {
    expect(() => readConfigFile(file('typo.json', '{"epoch": 3}'), schema)).toThrow(
      /^invalid config\.epoch: 3 \(unknown setting in .*typo\.json; did you mean "epochs"\?\)$/,
    );
    expect(() => readConfigFile(file('far.json', '{"colour": "red"}'), schema)).toThrow(
      /unknown setting in .*far\.json\)$/,
    );
  });

  it('refuses what is not a regular file of at most MAX_CONFIG_BYTES, reading no more than that', () => {
    expect(() => readConfigFile('/dev/zero', schema)).toThrow(/is not a regular file/);
    expect(() => readConfigFile(dir, schema)).toThrow(/is not a regular file/);
    const big = file('big.json', `{"epochs": 1, "x": "${' '.repeat(MAX_CONFIG_BYTES)}"}`);
    expect(() => readConfigFile(big, schema)).toThrow(/bytes; a config file may hold at most 1048576/);
  });

  it('finds the nearest name only when it is close', () => {
    expect(nearest('metaLearningrate', Object.keys(schema.shape))).toBe('metaLearningRate');
    expect(nearest('x', Object.keys(schema.shape))).toBeUndefined();
  });
});
