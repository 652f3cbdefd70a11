/**
 * Seconds of training behind each event of a run's log: wall time while the run was running,
 * summed over its sessions (a `start` event opens each; the time between a stop and its
 * `--resume` is not counted). Work redone after a resume counts, since it was spent.
 *
 * Returns one number per event, in log order; an event without a finite `time` gets the previous
 * event's value.
 */
export function trainingSeconds(events: readonly Record<string, unknown>[]): number[] {
  let earlierSessions = 0;
  let sessionStart: number | null = null;
  let current = 0;
  return events.map((event) => {
    const time = Number(event.time);
    if (!Number.isFinite(time)) return current;
    if (event.type === 'start' || sessionStart === null) {
      earlierSessions = current;
      sessionStart = time;
    }
    current = earlierSessions + (time - sessionStart) / 1000;
    return current;
  });
}
