/**
 * Colours, unless the NO_COLOR convention (https://no-color.org) asks for none: then every colour is
 * undefined and the dashboard is drawn with bold and dim alone.
 */
const noColor = (process.env.NO_COLOR ?? '') !== '';

/** A colour name, or undefined under NO_COLOR. */
export function color(name: string): string | undefined {
  return noColor ? undefined : name;
}

/** One colour per series, in order (undefined under NO_COLOR). */
export const SERIES_COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red', 'white'].map(color);
