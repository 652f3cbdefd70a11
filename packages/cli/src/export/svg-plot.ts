/** One line of an SVG figure. */
export interface PlotSeries {
  name: string;
  points: { x: number; y: number }[];
  /** A shaded band around the line (e.g. mean ± standard error), one entry per point. */
  band?: { low: number; high: number }[];
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Round tick values spanning [lo, hi]. */
function ticks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / count));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= count) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-12; v += nice) out.push(Number(v.toPrecision(12)));
  return out;
}

/**
 * A self-contained SVG line chart for papers: axes with ticks, one coloured polyline per series
 * (over a shaded band where the series has one) and a legend. With `logY`, y is plotted as log10 (non-positive values are dropped) and ticks are
 * labelled as powers of ten.
 *
 * @example
 * ```ts
 * writeFileSync('fig.svg', svgLineChart([{ name: 'L2L', points }], { title: 'Quadratics', xLabel: 'step', yLabel: 'loss', logY: true }));
 * ```
 */
export function svgLineChart(
  series: PlotSeries[],
  options: { title: string; xLabel: string; yLabel: string; logY?: boolean; width?: number; height?: number },
): string {
  // The legend column widens to its longest name (about 6.6 px a character at 12 px), the plot keeps its width.
  const legendChars = Math.max(0, ...series.map((s) => s.name.length));
  const margin = { left: 70, right: Math.max(200, Math.ceil(48 + legendChars * 6.6)), top: 40, bottom: 50 };
  const width = options.width ?? margin.left + 370 + margin.right;
  const height = options.height ?? 400;
  const ty = (y: number) => (options.logY ? Math.log10(y) : y);
  const clean = series.map((s) => {
    const kept = s.points
      .map((p, i) => ({
        x: p.x,
        y: ty(p.y),
        low: ty(s.band?.[i]?.low ?? p.y),
        high: ty(s.band?.[i]?.high ?? p.y),
      }))
      .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
    return {
      name: s.name,
      points: kept.map(({ x, y }) => ({ x, y })),
      band: s.band ? kept.filter((p) => Number.isFinite(p.low) && Number.isFinite(p.high)) : [],
    };
  });
  const all = clean.flatMap((s) => [
    ...s.points,
    ...s.band.flatMap((p) => [
      { x: p.x, y: p.low },
      { x: p.x, y: p.high },
    ]),
  ]);
  const xMin = Math.min(...all.map((p) => p.x), 0);
  const xMax = Math.max(...all.map((p) => p.x), 1);
  let yMin = Math.min(...all.map((p) => p.y));
  let yMax = Math.max(...all.map((p) => p.y));
  if (!Number.isFinite(yMin)) [yMin, yMax] = [0, 1];
  if (yMin === yMax) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const sx = (x: number) => margin.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number) => margin.top + ((yMax - y) / (yMax - yMin)) * plotH;
  const fmtY = (v: number) => (options.logY ? `1e${v}` : String(v));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    // The title element is the figure's accessible name (screen readers, and linters of committed figures).
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${margin.left + plotW / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`,
    `<line x1="${margin.left}" y1="${margin.top + plotH}" x2="${margin.left + plotW}" y2="${margin.top + plotH}" stroke="black"/>`,
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotH}" stroke="black"/>`,
  ];
  for (const t of ticks(xMin, xMax, 6)) {
    parts.push(
      `<text x="${sx(t).toFixed(1)}" y="${margin.top + plotH + 18}" text-anchor="middle">${t}</text>`,
    );
  }
  for (const t of ticks(yMin, yMax, 6)) {
    parts.push(
      `<line x1="${margin.left}" y1="${sy(t).toFixed(1)}" x2="${margin.left + plotW}" y2="${sy(t).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${margin.left - 6}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${fmtY(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  );
  clean.forEach((s, i) => {
    if (s.band.length < 2) return;
    const outline = [...s.band.map((p) => [p.x, p.high]), ...s.band.toReversed().map((p) => [p.x, p.low])];
    const points = outline.map(([x, y]) => `${sx(x!).toFixed(1)},${sy(y!).toFixed(1)}`).join(' ');
    parts.push(
      `<polygon fill="${COLORS[i % COLORS.length]}" fill-opacity="0.2" stroke="none" points="${points}"/>`,
    );
  });
  clean.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const path = s.points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${path}"/>`);
    const ly = margin.top + 10 + i * 18;
    parts.push(
      `<line x1="${margin.left + plotW + 12}" y1="${ly}" x2="${margin.left + plotW + 32}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${margin.left + plotW + 38}" y="${ly + 4}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
