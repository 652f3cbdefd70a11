import { describe, expect, it } from 'vitest';
import { CHART_ROWS, dashboardLayout } from './dashboard-layout.js';

const content = { comparisonEntries: 6, logLines: 8, legend: true, helpLines: null };

describe('dashboardLayout', () => {
  it('shows everything when there is room, leaving the last row free', () => {
    // 2 + 3 + 1 fixed, chart 10, comparison 2 + 6, log 2 + 8, one free row: 35.
    expect(dashboardLayout(35, content)).toEqual({
      chartRows: 10,
      comparisonRows: 6,
      logRows: 8,
      help: false,
    });
    expect(dashboardLayout(34, content).logRows).toBe(7);
  });

  it('drops panels in a fixed order as rows shrink: log lines, the log, comparison rows, then chart rows', () => {
    const at = (rows: number) => dashboardLayout(rows, content);
    expect(at(29)).toMatchObject({ chartRows: 10, comparisonRows: 6, logRows: 2 });
    expect(at(28)).toMatchObject({ chartRows: 10, comparisonRows: 6, logRows: 0 });
    expect(at(24)).toMatchObject({ chartRows: 10, comparisonRows: 5, logRows: 0 });
    expect(at(20)).toMatchObject({ chartRows: 10, comparisonRows: 1, logRows: 0 });
    expect(at(19)).toMatchObject({ chartRows: 10, comparisonRows: 0, logRows: 0 });
    expect(at(12)).toMatchObject({ chartRows: 5, comparisonRows: 0, logRows: 0 });
    expect(at(5).chartRows).toBe(CHART_ROWS.least);
    for (let rows = 12; rows <= 60; rows++) {
      const l = at(rows);
      const used =
        6 + l.chartRows + (l.comparisonRows && l.comparisonRows + 2) + (l.logRows && l.logRows + 2);
      expect(used, `${rows} rows`).toBeLessThanOrEqual(rows - 1);
    }
  });

  it('the help box replaces the panels, and shows only where it fits', () => {
    expect(dashboardLayout(40, { ...content, helpLines: 9 })).toEqual({
      chartRows: 10,
      comparisonRows: 0,
      logRows: 0,
      help: true,
    });
    expect(dashboardLayout(20, { ...content, helpLines: 9 }).help).toBe(false);
  });
});
