/** How much of the dashboard fits a terminal: the chart's height and which panels show. */
export interface DashboardLayout {
  /** Braille rows of the chart. */
  chartRows: number;
  /** Comparison entries shown (best first); 0 hides the panel. */
  comparisonRows: number;
  /** Event-log lines shown (newest last); 0 hides the panel. */
  logRows: number;
  /** Whether the help box shows (it takes the place of the comparison and the log). */
  help: boolean;
}

/** What the dashboard would show with unlimited space. */
export interface DashboardContent {
  comparisonEntries: number;
  logLines: number;
  /** The chart has a legend line (more than one series). */
  legend: boolean;
  /** Lines of the help box, when it is open. */
  helpLines: number | null;
}

/** Rows the chart gets when there is room; the least it is ever drawn with. */
export const CHART_ROWS = { full: 10, least: 3 } as const;

/**
 * Fits the dashboard into `rows` terminal rows, leaving the last one free (Ink clears the screen,
 * scrollback included, whenever its frame is as tall as the terminal). With room for everything,
 * everything shows; as rows shrink, the event log loses lines and then goes, then the comparison
 * panel, then the chart shrinks to its least height. Pure, so it is tested without a terminal.
 *
 * Fixed rows: header 1, progress 1, chart title 1 (+ margin 1), chart footer 1, legend 0–1;
 * a panel costs a margin and a title line on top of its entries.
 */
export function dashboardLayout(rows: number, content: DashboardContent): DashboardLayout {
  const fixed = 2 + 3 + (content.legend ? 1 : 0);
  const available = Math.max(0, rows - 1 - fixed);
  const chartRows = Math.max(CHART_ROWS.least, Math.min(CHART_ROWS.full, available));
  let rest = available - chartRows;
  if (content.helpLines !== null) {
    const help = rest >= content.helpLines + 2;
    return { chartRows, comparisonRows: 0, logRows: 0, help };
  }
  const panel = (wanted: number, least: number) => {
    const fits = Math.min(wanted, rest - 2);
    if (fits < least) return 0;
    rest -= fits + 2;
    return fits;
  };
  const comparisonRows = panel(Math.max(1, content.comparisonEntries), 1);
  const logRows = panel(content.logLines, 2);
  return { chartRows, comparisonRows, logRows, help: false };
}
