import { describe, expect, it } from 'vitest';
import { decodeShardValue, encodeShardValue } from './shard-codec.js';

describe('shard messages as JSON', () => {
  it('carry typed arrays and every number with the same bits', () => {
    const message = {
      grads: [new Float32Array([1.5, -0, Number.NaN, 3.4028234663852886e38, 1e-45])],
      gradient: new Float64Array([Math.PI, -Number.MIN_VALUE]),
      trials: [new Int32Array([-7, 2 ** 31 - 1]), new Uint8Array([0, 255])],
      metaLoss: Number.NaN,
      bounds: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0.1 + 0.2],
      nested: { name: 'metaGradient', flag: true, none: null },
    };
    const decoded = decodeShardValue(JSON.parse(JSON.stringify(encodeShardValue(message)))) as typeof message;
    expect(decoded).toEqual(message);
    expect(decoded.grads[0]).toBeInstanceOf(Float32Array);
    expect(new Uint8Array(decoded.grads[0]!.buffer)).toEqual(new Uint8Array(message.grads[0]!.buffer));
    expect(Object.is(decoded.bounds[2], -0)).toBe(true);
    expect(decoded.bounds[3]).toBe(0.1 + 0.2);
  });

  it('carries a view into a larger buffer as just its own elements', () => {
    const whole = new Float32Array([1, 2, 3, 4]);
    expect(decodeShardValue(encodeShardValue(whole.subarray(1, 3)))).toEqual(new Float32Array([2, 3]));
  });
});
