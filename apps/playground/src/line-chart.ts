/** One line of a {@link renderLineChart} chart. */
export interface ChartSeries {
  label: string;
  points: { x: number; y: number }[];
  color: string;
  /** Reference lines are dashed. */
  dashed?: boolean;
}

const SVG = 'http://www.w3.org/2000/svg';
const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { left: 56, right: 12, top: 12, bottom: 40 };

function element<K extends keyof SVGElementTagNameMap>(
  name: K,
  attributes: Record<string, string | number>,
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Round numbers spanning [low, high], about `count` of them. */
function ticks(low: number, high: number, count = 5): number[] {
  const span = high - low || 1;
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(low / step) * step; t <= high + step * 1e-9; t += step)
    out.push(Number(t.toPrecision(12)));
  return out;
}

/**
 * Draws `series` into `svg` (replacing what was there, but its `<title>`): axes with round ticks, one polyline per
 * series. Plain SVG, no animation, so that it costs nothing between training steps and nothing
 * moves for readers who asked for reduced motion.
 */
export function renderLineChart(
  svg: SVGSVGElement,
  series: ChartSeries[],
  xLabel: string,
  yLabel: string,
): void {
  svg.replaceChildren(...svg.querySelectorAll(':scope > title'));
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y));
  if (all.length === 0) return;
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  let [yLow, yHigh] = [Math.min(...ys), Math.max(...ys)];
  const pad = (yHigh - yLow) * 0.05 || Math.abs(yHigh) * 0.05 || 1;
  yLow -= pad;
  yHigh += pad;
  const [xLow, xHigh] = [Math.min(...xs, 0), Math.max(...xs, 1)];
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - xLow) / (xHigh - xLow || 1)) * plotWidth;
  const sy = (y: number) => MARGIN.top + (1 - (y - yLow) / (yHigh - yLow)) * plotHeight;

  const axes = element('g', { class: 'axes' });
  for (const t of ticks(yLow, yHigh)) {
    axes.append(
      element('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: sy(t), y2: sy(t), class: 'grid' }),
    );
    axes.append(element('text', { x: MARGIN.left - 6, y: sy(t) + 4, 'text-anchor': 'end' }, String(t)));
  }
  for (const t of ticks(xLow, xHigh)) {
    axes.append(
      element('text', { x: sx(t), y: HEIGHT - MARGIN.bottom + 16, 'text-anchor': 'middle' }, String(t)),
    );
  }
  axes.append(
    element('text', { x: MARGIN.left + plotWidth / 2, y: HEIGHT - 6, 'text-anchor': 'middle' }, xLabel),
  );
  axes.append(
    element(
      'text',
      {
        x: 14,
        y: MARGIN.top + plotHeight / 2,
        transform: `rotate(-90 14 ${MARGIN.top + plotHeight / 2})`,
        'text-anchor': 'middle',
      },
      yLabel,
    ),
  );
  svg.append(axes);

  for (const s of series) {
    const points = s.points.filter((p) => Number.isFinite(p.y));
    if (points.length === 0) continue;
    const line = element('polyline', {
      points: points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' '),
      fill: 'none',
      stroke: s.color,
      'stroke-width': s.dashed ? 1.5 : 2.5,
      ...(s.dashed && { 'stroke-dasharray': '6 4' }),
    });
    line.append(element('title', {}, s.label));
    svg.append(line);
    if (!s.dashed)
      for (const p of points)
        svg.append(element('circle', { cx: sx(p.x), cy: sy(p.y), r: 3, fill: s.color }));
  }
}
