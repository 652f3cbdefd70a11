import { describe, expect, it } from 'vitest';
import { renderBraille } from './braille.js';
import { debiasedEma } from './smoothing.js';

describe('braille chart', () => {
  it('draws a rising line from the bottom-left to the top-right dot', () => {
    const chart = renderBraille(
      [
        {
          name: 'a',
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
      ],
      2,
      1,
    );
    const text = chart.rows[0]!.map((c) => c.char).join('');
    // Bottom-left dot (dot 7 = 0x40) in the first cell, top-right dot (dot 4 = 0x08) in the last.
    expect(text.codePointAt(0)! & 0x40).toBe(0x40);
    expect(text.codePointAt(1)! & 0x08).toBe(0x08);
    expect(chart.rows[0]!.every((c) => c.series === 0)).toBe(true);
  });

  it('plots log10 of the values on a log scale and skips non-positive and non-finite ones', () => {
    const chart = renderBraille(
      [
        {
          name: 'a',
          points: [
            { x: 0, y: 100 },
            { x: 1, y: 0 },
            { x: 2, y: 1 },
            { x: 3, y: Number.NaN },
          ],
        },
      ],
      4,
      2,
      { logScale: true },
    );
    expect([chart.yMin, chart.yMax]).toEqual([0, 2]);
  });

  it('colours a cell by the series drawn last there', () => {
    const chart = renderBraille(
      [
        {
          name: 'a',
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 0 },
          ],
        },
        {
          name: 'b',
          points: [
            { x: 0, y: 1 },
            { x: 1, y: 1 },
          ],
        },
      ],
      3,
      2,
    );
    expect(chart.rows[0]![0]!.series).toBe(1);
    expect(chart.rows[1]![0]!.series).toBe(0);
  });
});

describe("TensorBoard's debiased EMA", () => {
  it('starts at the first value and matches the formula', () => {
    const s = debiasedEma([1, 2, 3], 0.6);
    expect(s[0]).toBeCloseTo(1, 12);
    const m2 = 0.6 * 0.4 * 1 + 0.4 * 2;
    expect(s[1]).toBeCloseTo(m2 / (1 - 0.36), 12);
    expect(debiasedEma([5, 7], 0)).toEqual([5, 7]);
  });
});
