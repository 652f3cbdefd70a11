import type { ScalarPoint } from './tensorboard.js';

/** Fields that say where an event sits on the x-axis, most specific first. */
const STEP_FIELDS = ['metaStep', 'iteration', 'epoch'] as const;
/** Numeric fields that are bookkeeping rather than metrics. */
const SKIP = new Set([
  'time',
  'metaStep',
  'iteration',
  'epoch',
  'startEpoch',
  'startIteration',
  'epochs',
  'iterations',
]);

/**
 * Turns run events (one JSON object per metrics.jsonl line) into scalar series: every finite
 * numeric field of an event becomes the point `<type>/<field>` at the event's step.
 */
export function scalarsFromEvents(events: Record<string, unknown>[]): ScalarPoint[] {
  const points: ScalarPoint[] = [];
  events.forEach((event, index) => {
    const type = typeof event.type === 'string' ? event.type : 'event';
    if (type === 'start' || type === 'checkpoint') return;
    const stepField = STEP_FIELDS.find((f) => typeof event[f] === 'number');
    const step = stepField ? (event[stepField] as number) : index;
    const wallTime = typeof event.time === 'number' ? event.time / 1000 : 0;
    for (const [key, value] of Object.entries(event)) {
      if (SKIP.has(key) || typeof value !== 'number' || !Number.isFinite(value)) continue;
      points.push({ tag: `${type}/${key}`, step, value, wallTime });
    }
  });
  return points;
}

/** CSV with a header `tag,step,value,wall_time`, one row per point. */
export function scalarsToCsv(points: ScalarPoint[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `tag,step,value,wall_time\n${points.map((p) => `${quote(p.tag)},${p.step},${p.value},${p.wallTime}`).join('\n')}\n`;
}
