/** How a step size (or a loss weight) decays over training: not at all, linearly to 0, or along a half cosine to 0. */
export const DECAY_SCHEDULES = ['constant', 'linear', 'cosine'] as const;
export type DecaySchedule = (typeof DECAY_SCHEDULES)[number];

/**
 * `base` at `step` (0-based) of `total` under `schedule`: `constant` keeps it, `linear` gives
 * base · (1 − step/total), `cosine` base · ½(1 + cos(π · step/total)); both reach 0 at `total`.
 */
export function decayed(base: number, schedule: DecaySchedule, step: number, total: number): number {
  const progress = Math.min(1, step / total);
  if (schedule === 'linear') return base * (1 - progress);
  if (schedule === 'cosine') return base * 0.5 * (1 + Math.cos(Math.PI * progress));
  return base;
}
