import type { SweepManifest, SweepRunState } from './sweep-queue.js';

/** `1 run`, `4 runs`. */
export function runCount(n: number): string {
  return `${n} run${n === 1 ? '' : 's'}`;
}

/** A run's progress as `12/40`, or `-` before it started. */
export function progressText(state: SweepRunState): string {
  const p = state.result ? { step: state.result.steps, total: state.result.steps } : state.progress;
  return p && p.total > 0 ? `${p.step}/${p.total}` : '-';
}

/** A run's best evaluation so far, or `-`. */
export function bestText(state: SweepRunState): string {
  const best = state.result?.best ?? state.progress?.best;
  return best ? best.value.toFixed(4) : '-';
}

/** A run's varying settings as `metaLr=0.01 seed=1`. */
export function varyingText(varying: Record<string, unknown>): string {
  return Object.entries(varying)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : JSON.stringify(v)}`)
    .join(' ');
}

/** `sweep status`'s table: a line per run, then the count in each state. */
export function formatSweepStatus(manifest: SweepManifest, states: SweepRunState[]): string {
  const objective = states.map((s) => s.result?.best ?? s.progress?.best).find((b) => b);
  const settingsWidth = Math.max(8, ...states.map((s) => varyingText(s.varying).length));
  const lines = [
    `sweep ${manifest.name} (${manifest.trainer}, ${runCount(states.length)})${objective ? `; best: ${objective.name}, ${objective.higherIsBetter ? 'higher' : 'lower'} is better` : ''}`,
    `${'run'.padEnd(21)} ${'settings'.padEnd(settingsWidth)} ${'state'.padEnd(10)} ${'progress'.padStart(9)} ${'best'.padStart(9)}`,
  ];
  for (const s of states) {
    const state = s.state === 'completed' && s.result ? s.result.status : s.state;
    lines.push(
      `${s.id.padEnd(21)} ${varyingText(s.varying).padEnd(settingsWidth)} ${state.padEnd(10)} ${progressText(s).padStart(9)} ${bestText(s).padStart(9)}${s.state === 'failed' && s.failure ? `  ${s.failure}` : ''}`,
    );
  }
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  lines.push([...counts].map(([state, n]) => `${n} ${state}`).join(', '));
  return `${lines.join('\n')}\n`;
}
