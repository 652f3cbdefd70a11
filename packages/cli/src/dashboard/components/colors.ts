/** One colour per series, in order. */
export const SERIES_COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red', 'white'] as const;
