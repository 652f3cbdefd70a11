import { describe, expect, it } from 'vitest';
import { GittinsTable, gittinsIndex } from './gittins.js';

describe('Gittins index of a Bernoulli arm', () => {
  it.each([
    [1, 1, 0.9, 0.7029],
    [1, 1, 0.99, 0.8699],
    [2, 1, 0.9, 0.8001],
  ])('Beta(%i, %i) at discount %f is %f (published tables)', (a, b, discount, expected) => {
    expect(gittinsIndex(a, b, discount)).toBeCloseTo(expected, 4);
  });

  it('the table computed on a grid agrees with bisection', () => {
    const table = new GittinsTable(0.9, 20);
    for (const [a, b] of [
      [1, 1],
      [2, 1],
      [1, 5],
      [8, 3],
      [11, 11],
    ] as const) {
      expect(table.index(a, b)).toBeCloseTo(gittinsIndex(a, b, 0.9), 3);
    }
  });

  it('exceeds the posterior mean (the value of information) and orders states sensibly', () => {
    const table = new GittinsTable(0.95, 30);
    expect(table.index(1, 1)).toBeGreaterThan(0.5);
    expect(table.index(3, 1)).toBeGreaterThan(table.index(2, 2));
    expect(table.index(10, 10)).toBeLessThan(table.index(1, 1)); // less to learn
  });
});
