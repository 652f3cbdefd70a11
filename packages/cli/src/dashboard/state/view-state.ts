/** How the dashboard is displayed: changed by keys, independent of the run's data. */
export interface ViewState {
  logScale: boolean;
  /** Smoothing weight when on. */
  smoothing: number;
  smoothingOn: boolean;
  chartIndex: number;
  help: boolean;
  paused: boolean;
}

export const INITIAL_VIEW: ViewState = {
  logScale: true,
  smoothing: 0.6,
  smoothingOn: false,
  chartIndex: 0,
  help: false,
  paused: false,
};

/** What a key asks of the training process (if any). */
export type KeyCommand = 'pause' | 'resume' | 'checkpoint' | 'stop' | null;

/**
 * Applies one key press to the view and says what, if anything, the trainer must do. Pure, so the
 * key bindings are tested without a terminal. `input` is the character typed; `tab` the tab key.
 */
export function reduceViewKey(
  view: ViewState,
  input: string,
  tab: boolean,
  charts: number,
): { view: ViewState; command: KeyCommand } {
  if (tab)
    return { view: { ...view, chartIndex: (view.chartIndex + 1) % Math.max(1, charts) }, command: null };
  switch (input) {
    case 'l':
      return { view: { ...view, logScale: !view.logScale }, command: null };
    case 'm':
      return { view: { ...view, smoothingOn: !view.smoothingOn }, command: null };
    case 'h':
      return { view: { ...view, help: !view.help }, command: null };
    case 'p':
      return { view: { ...view, paused: !view.paused }, command: view.paused ? 'resume' : 'pause' };
    case 's':
      return { view, command: 'checkpoint' };
    case 'q':
      return { view, command: 'stop' };
    default:
      return { view, command: null };
  }
}
