import { describe, expect, it } from 'vitest';
import { svgLineChart } from './svg-plot.js';

describe('svgLineChart', () => {
  it('draws one polyline and one legend entry per series, on a log axis', () => {
    const svg = svgLineChart(
      [
        {
          name: 'L2L <lstm>',
          points: [
            { x: 0, y: 100 },
            { x: 10, y: 1 },
          ],
        },
        {
          name: 'adam',
          points: [
            { x: 0, y: 100 },
            { x: 10, y: 0 },
            { x: 5, y: 10 },
          ],
        },
      ],
      { title: 'Quadratics', xLabel: 'step', yLabel: 'loss', logY: true },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // An accessible name: the title, as the first child.
    expect(svg.split('\n')[1]).toMatch(/^<title>.+<\/title>$/);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('L2L &lt;lstm&gt;'); // escaped
    expect(svg).toContain('>1e1<'); // power-of-ten tick labels
    // The zero loss is dropped on a log axis: the second series keeps 2 of its 3 points.
    const second = svg.split('<polyline ')[2]!;
    expect(second.match(/points="([^"]+)"/)![1]!.split(' ')).toHaveLength(2);
  });

  it('widens the figure so that the longest legend name fits, keeping the plot area', () => {
    const points = [
      { x: 0, y: 1 },
      { x: 1, y: 2 },
    ];
    const width = (svg: string) => Number(svg.match(/width="(\d+)"/)![1]);
    const short = svgLineChart([{ name: 'adam', points }], { title: 't', xLabel: 'x', yLabel: 'y' });
    const name = 'batch=2500 hidden=256 learningRate=0.003: held-out mean return';
    const long = svgLineChart([{ name, points }], { title: 't', xLabel: 'x', yLabel: 'y' });
    expect(width(short)).toBe(640);
    const legendX = Number(long.match(/<text x="([\d.]+)" y="[\d.]+">batch=/)![1]);
    expect(width(long) - legendX).toBeGreaterThanOrEqual(name.length * 6.5);
    expect(long.match(/<line x1="70" y1="350" x2="(\d+)"/)![1]).toBe('440'); // the x axis keeps its length
  });
});
