/** A series to draw: points in data coordinates. */
export interface ChartSeries {
  name: string;
  points: { x: number; y: number }[];
}

/** A rendered chart: rows of cells, each a braille character and the series that last touched it. */
export interface BrailleChart {
  rows: { char: string; series: number | null }[][];
  yMin: number;
  yMax: number;
  xMin: number;
  xMax: number;
}

// Dot bit for (column 0|1, row 0..3) inside a braille cell.
const DOT = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

/**
 * Draws series as connected lines on a braille canvas of `width` × `height` characters (2 × 4 dots
 * each). With `logScale`, y is plotted as log10(y) and non-positive values are skipped; non-finite
 * values are always skipped. Axis ranges cover every series.
 *
 * @example
 * ```ts
 * const chart = renderBraille([{ name: 'loss', points }], 60, 10, { logScale: true });
 * ```
 */
export function renderBraille(
  series: ChartSeries[],
  width: number,
  height: number,
  options: { logScale?: boolean } = {},
): BrailleChart {
  const transform = (y: number) => (options.logScale ? (y > 0 ? Math.log10(y) : Number.NaN) : y);
  const prepared = series.map((s) =>
    s.points
      .map((p) => ({ x: p.x, y: transform(p.y) }))
      .filter((p) => Number.isFinite(p.y) && Number.isFinite(p.x)),
  );
  const all = prepared.flat();
  const xMin = all.length ? Math.min(...all.map((p) => p.x)) : 0;
  const xMax = all.length ? Math.max(...all.map((p) => p.x)) : 1;
  let yMin = all.length ? Math.min(...all.map((p) => p.y)) : 0;
  let yMax = all.length ? Math.max(...all.map((p) => p.y)) : 1;
  if (yMax === yMin) {
    yMax += 0.5;
    yMin -= 0.5;
  }
  const dotsX = width * 2;
  const dotsY = height * 4;
  const bits = new Uint8Array(width * height);
  const owner = new Int16Array(width * height).fill(-1);
  const plot = (px: number, py: number, s: number) => {
    if (px < 0 || py < 0 || px >= dotsX || py >= dotsY) return;
    const cell = Math.floor(py / 4) * width + Math.floor(px / 2);
    bits[cell]! |= DOT[px % 2]![py % 4]!;
    owner[cell] = s;
  };
  const toPixel = (p: { x: number; y: number }) => ({
    px: Math.round(((p.x - xMin) / (xMax - xMin || 1)) * (dotsX - 1)),
    py: Math.round(((yMax - p.y) / (yMax - yMin)) * (dotsY - 1)),
  });
  prepared.forEach((points, s) => {
    for (let i = 0; i < points.length; i++) {
      const a = toPixel(points[i]!);
      if (i === 0) {
        plot(a.px, a.py, s);
        continue;
      }
      const b = toPixel(points[i - 1]!);
      const steps = Math.max(Math.abs(a.px - b.px), Math.abs(a.py - b.py), 1);
      for (let k = 0; k <= steps; k++) {
        plot(
          Math.round(b.px + ((a.px - b.px) * k) / steps),
          Math.round(b.py + ((a.py - b.py) * k) / steps),
          s,
        );
      }
    }
  });
  const rows = Array.from({ length: height }, (_, r) =>
    Array.from({ length: width }, (_, c) => {
      const cell = r * width + c;
      return {
        char: String.fromCharCode(0x2800 + bits[cell]!),
        series: owner[cell]! >= 0 ? owner[cell]! : null,
      };
    }),
  );
  return { rows, yMin, yMax, xMin, xMax };
}
