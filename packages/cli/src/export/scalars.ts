import type { ScalarPoint } from './tensorboard.js';

/**
 * Turns run events (one JSON object per metrics.jsonl line, the one protocol every trainer writes)
 * into scalar series: each progress metric becomes `progress/<metric>`, each evaluation
 * `evaluation/<name>`, and the per-step time `progress/ms`, all at the event's step.
 */
export function scalarsFromEvents(events: Record<string, unknown>[]): ScalarPoint[] {
  const points: ScalarPoint[] = [];
  for (const event of events) {
    const step = typeof event.step === 'number' ? event.step : 0;
    const wallTime = typeof event.time === 'number' ? event.time / 1000 : 0;
    const add = (tag: string, value: unknown) => {
      if (typeof value === 'number' && Number.isFinite(value)) points.push({ tag, step, value, wallTime });
    };
    if (event.type === 'progress') {
      for (const [name, value] of Object.entries((event.metrics ?? {}) as Record<string, unknown>))
        add(`progress/${name}`, value);
      add('progress/ms', event.ms);
    } else if (event.type === 'evaluation') {
      add(`evaluation/${String(event.name)}`, event.value);
    }
  }
  return points;
}

/** CSV with a header `tag,step,value,wall_time`, one row per point. */
export function scalarsToCsv(points: ScalarPoint[]): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `tag,step,value,wall_time\n${points.map((p) => `${quote(p.tag)},${p.step},${p.value},${p.wallTime}`).join('\n')}\n`;
}
